"""The Dagster webserver's GraphQL API as the UI uses it, for the tests that drive a
running webserver (tests/test_ui.py, tests/scaleout/test_cluster.py)."""

from __future__ import annotations

import requests


def graphql(url: str, query: str, variables: dict | None = None, timeout: float = 60) -> dict:
    """The data of one GraphQL request; an assertion error naming any GraphQL error."""
    response = requests.post(
        url, json={"query": query, "variables": variables or {}}, timeout=timeout
    )
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


# The backfill button of the asset graph's materialize dialog.
LAUNCH_BACKFILL = """
mutation Launch($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
    ... on InvalidStepError { invalidStepKey }
    ... on UnauthorizedError { message }
  }
}
"""

# "Re-execute" on a backfill's page (strategy FROM_FAILURE: "from failure").
REEXECUTE_BACKFILL = """
mutation Retry($params: ReexecutionParams!) {
  reexecutePartitionBackfill(reexecutionParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
    ... on UnauthorizedError { message }
  }
}
"""
