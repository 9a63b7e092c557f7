"""Product keys: the names of tracked products, and the slugs of untracked apps.

A product key names a product in every table and in file names (the launch report
``launch-<key>.html``), so it must be a plain word: a key such as ``../../x`` would
write outside the reports folder.

- In ``products.toml``: lower-case ASCII letters, digits, ``-`` and ``_``, starting
  with a letter or digit (``deepseek``, ``google-gemini``, ``meta_ai``).
- Asked for on the command line: also the slug the warehouse gives an untracked app
  (its lower-cased name with runs of other characters turned into ``-``; letters of
  any script), or its lower-cased id (``com.example.app``).
"""

from __future__ import annotations

import re

PRODUCT_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
# Any key the warehouse can hold: word characters, '.', '-'; no '/', no leading '.'.
PRODUCT_REFERENCE = re.compile(r"[^\W_][\w.-]{0,199}")

PRODUCT_KEY_RULE = (
    "lower-case letters a-z, digits, '-' and '_', starting with a letter or digit"
    " (e.g. deepseek, google-gemini)"
)


def is_product_key(key: str) -> bool:
    """Whether ``key`` may name a product in products.toml."""
    return isinstance(key, str) and PRODUCT_KEY.fullmatch(key) is not None


def check_product_reference(key: str) -> str:
    """A product key given on the command line, checked; ValueError saying what is allowed."""
    if PRODUCT_REFERENCE.fullmatch(key) is None or key != key.lower():
        raise ValueError(
            f"{key!r} is not a product key: use the key of a product in products.toml"
            " (e.g. deepseek) or the lower-case slug of an app (e.g. temu-shop-like-a"
            "-billionaire); letters, digits, '-', '_' and '.', no '/' or spaces"
        )
    return key
