"""A fix to Dagster 1.13 that Chartwatch's runs need, applied when the code location loads.

A step waiting for a pool slot (the warehouse step while another run writes the
warehouse) makes Dagster's executor loop spin on a full core for as long as it
waits: ``InstanceConcurrencyContext.interval_to_next_pending_claim_check`` returns
``min([0, ...])``, never more than 0, so ``sleep_til_ready`` never sleeps. The fixed
method returns the time until the next claim check is due (Dagster already spaces
those checks from 1 s up to 15 s), so a waiting run sleeps instead.
"""

from __future__ import annotations

import time

from dagster._core.execution.plan.instance_concurrency_context import (
    InstanceConcurrencyContext,
)


def _interval_to_next_pending_claim_check(self: InstanceConcurrencyContext) -> float:
    if not self._pending_claims:
        return 0.0
    now = time.time()
    return max(0.0, min((at - now for at in self._pending_timeouts.values()), default=0.0))


def apply() -> None:
    InstanceConcurrencyContext.interval_to_next_pending_claim_check = (
        _interval_to_next_pending_claim_check
    )
