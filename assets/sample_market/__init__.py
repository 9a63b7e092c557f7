"""The sample market: a deterministic, offline app market that answers in the
real response formats, calibrated so the pipeline reproduces the reported
figures of DeepSeek's January 2025 launch (see ``calibration.py``).

``catalog`` lists the apps, ``simulate`` produces daily demand (downloads, DAU,
revenue) per app, country and store; each source's ``render.py`` (in
``assets/sources/<source>/``) serialises the market exactly as that source would
answer, with the helpers of ``encode``.
"""
