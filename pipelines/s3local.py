"""``make s3-local``: an S3-compatible server on 127.0.0.1 for trying Chartwatch on an
object store without one (moto, in memory: everything is gone when it stops).

It creates the bucket and prints the variables to set in another terminal, then
serves until Ctrl-C. Any S3-compatible store (AWS, MinIO, Ceph, R2) takes the same
variables; see docs/deploy.md.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading

import boto3
from botocore.config import Config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make s3-local", description=__doc__)
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--bucket", default="chartwatch")
    args = parser.parse_args(argv)
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    try:
        server.start()
    except OSError as error:
        print(
            f"cannot listen on 127.0.0.1:{args.port} ({error}); give another S3_PORT=",
            file=sys.stderr,
        )
        return 2
    endpoint = f"http://127.0.0.1:{args.port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="chartwatch",
        aws_secret_access_key="chartwatch",
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 2}),
    ).create_bucket(Bucket=args.bucket)
    print(
        f"An S3 server (moto, in memory) is serving {endpoint} with the bucket {args.bucket}.\n"
        "In another terminal:\n\n"
        f"  export AWS_ENDPOINT_URL={endpoint} AWS_ACCESS_KEY_ID=chartwatch"
        " AWS_SECRET_ACCESS_KEY=chartwatch AWS_REGION=us-east-1\n"
        f"  make demo CHARTWATCH_DATA_DIR=s3://{args.bucket}/demo\n\n"
        "Ctrl-C stops it (and forgets every object).",
        flush=True,
    )
    stop = threading.Event()
    # Ctrl-C, or a kill: SIGINT is handled here too, since a shell starting this in the
    # background (make s3-local &) leaves SIGINT ignored.
    for stopping in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stopping, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
