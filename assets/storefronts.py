"""The storefronts Chartwatch covers: the 175 App Store countries and the Google
Play countries, as lower-case ISO 3166-1 alpha-2 codes (Kosovo uses Apple's
``xk``), with display names from pycountry.
"""

from __future__ import annotations

import pycountry

from warehouse.errors import InvalidSetting

# Apple's App Store storefronts (App Store Connect's list of 175 countries and regions).
APP_STORE_COUNTRIES: tuple[str, ...] = tuple(
    """
    ae ag ai al am ao ar at au az ba bb be bf bg bh bj bm bn bo br bs bt bw by bz ca cd cg
    ch ci cl cm cn co cr cv cy cz de dk dm do dz ec ee eg es fi fj fm fr ga gb gd ge gh gm
    gr gt gw gy hk hn hr hu id ie il in iq is it jm jo jp ke kg kh kn kr kw ky kz la lb lc
    lk lr lt lu lv ly ma md me mg mk ml mm mn mo mr ms mt mu mv mw mx my mz na ne ng ni nl
    no np nr nz om pa pe pg ph pk pl pt pw py qa ro rs ru rw sa sb sc se sg si sk sl sn sr
    st sv sz tc td th tj tm tn to tr tt tw tz ua ug us uy uz vc ve vg vn vu xk ye za zm zw
    af
    """.split()
)

# Google Play countries covered by the sample market and the default import set: the
# 70 largest Play markets (Play is not available in mainland China).
GOOGLE_PLAY_COUNTRIES: tuple[str, ...] = tuple(
    """
    ae ar at au bd be bg br ca ch cl co cz de dk dz eg es fi fr gb gh gr hk hu id ie il in
    iq it jo jp ke kr kw kz lk ma mx my ng nl no np nz pe ph pk pl pt qa ro rs ru sa se sg
    th tn tr tw tz ua ug us uz ve vn za ye
    """.split()
)

ALL_COUNTRIES: tuple[str, ...] = tuple(
    sorted(set(APP_STORE_COUNTRIES) | set(GOOGLE_PLAY_COUNTRIES))
)

_EXTRA_NAMES = {"xk": "Kosovo", "ww": "Worldwide"}


def country_name(code: str) -> str:
    """Display name of a country code (``eg`` -> ``Egypt``)."""
    if code in _EXTRA_NAMES:
        return _EXTRA_NAMES[code]
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        raise ValueError(f"unknown country code {code!r}: use a lower-case ISO 3166-1 alpha-2 code")
    return getattr(country, "common_name", None) or country.name


def parse_country_list(
    text: str | None, default: tuple[str, ...] = ALL_COUNTRIES
) -> tuple[str, ...]:
    """Parse a comma list of country codes (``CHARTWATCH_COUNTRIES``); empty means ``default``."""
    if text is None or not text.strip():
        return default
    codes = tuple(dict.fromkeys(c.strip().lower() for c in text.split(",") if c.strip()))
    unknown = [c for c in codes if c not in ALL_COUNTRIES]
    if unknown:
        raise InvalidSetting(
            f"unknown country codes {', '.join(unknown)} in the country list; use lower-case "
            "ISO 3166-1 alpha-2 codes of App Store or Google Play storefronts (e.g. us,gb,eg)"
        )
    return codes
