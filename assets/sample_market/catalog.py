"""The apps of the sample market: the real apps of January 2025 under their
real names and App Store ids (where public), plus a long tail of generated apps.

Each app carries what the simulation needs: which stores it is on, whether it is
paid, how popular it is, how sticky its users are and how much it earns per
active user. Generated apps are drawn from a seeded generator, so the catalog is
the same on every run and machine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from assets.storefronts import ALL_COUNTRIES

# App Store genre ids (the legacy RSS category ids).
GENRES = {
    "6000": "Business",
    "6002": "Utilities",
    "6003": "Travel",
    "6004": "Sports",
    "6005": "Social Networking",
    "6007": "Productivity",
    "6008": "Photo & Video",
    "6009": "News",
    "6010": "Navigation",
    "6011": "Music",
    "6012": "Lifestyle",
    "6013": "Health & Fitness",
    "6014": "Games",
    "6015": "Finance",
    "6016": "Entertainment",
    "6017": "Education",
    "6018": "Books",
    "6023": "Food & Drink",
    "6024": "Shopping",
}


@dataclass(frozen=True)
class SampleApp:
    key: str  # product key, shared by the app's App Store and Play listings
    name: str
    developer: str
    genre_id: str
    app_store_id: str | None  # None: not on the App Store
    play_id: str | None  # None: not on Google Play
    popularity: float  # relative daily downloads in an average country
    price: float = 0.0  # USD; 0 = free
    arpdau: float = 0.0  # in-app revenue per daily active user, USD
    retention: float = 0.25  # share of a cohort still active after a month
    home: str | None = None  # a local app: far more popular at home
    markets: frozenset[str] | None = None  # None: every storefront
    excluded: frozenset[str] = field(default_factory=frozenset)
    boost: dict[str, float] = field(default_factory=dict)  # country -> popularity multiplier
    release: dt.date = dt.date(2020, 1, 1)


NO_CHINA = frozenset({"cn"})

# Real apps: names and ids as listed on the stores in January 2025. Popularity is in
# the same relative units as the long tail; `boost` shapes where an app is big.
NAMED_APPS: tuple[SampleApp, ...] = (
    SampleApp(
        "deepseek",
        "DeepSeek - AI Assistant",
        "DeepSeek",
        "6007",
        "6737597349",
        "com.deepseek.chat",
        0.4,
        retention=0.30,
        release=dt.date(2024, 12, 26),
    ),
    SampleApp(
        "chatgpt",
        "ChatGPT",
        "OpenAI",
        "6007",
        "6448311069",
        "com.openai.chatgpt",
        60.0,
        arpdau=0.09,
        retention=0.45,
        excluded=NO_CHINA,
        boost={"us": 2.2},
    ),
    SampleApp(
        "perplexity",
        "Perplexity - Ask Anything",
        "Perplexity AI, Inc.",
        "6007",
        "1668000334",
        "ai.perplexity.app.android",
        3.0,
        arpdau=0.03,
        retention=0.30,
        excluded=NO_CHINA,
    ),
    SampleApp(
        "gemini",
        "Google Gemini",
        "Google",
        "6007",
        "6477489729",
        "com.google.android.apps.bard",
        9.0,
        arpdau=0.01,
        retention=0.30,
        excluded=NO_CHINA,
    ),
    SampleApp(
        "claude",
        "Claude by Anthropic",
        "Anthropic PBC",
        "6007",
        "6473753684",
        "com.anthropic.claude",
        1.2,
        arpdau=0.06,
        retention=0.30,
        excluded=NO_CHINA,
    ),
    SampleApp(
        "copilot",
        "Microsoft Copilot",
        "Microsoft Corporation",
        "6007",
        "6472538445",
        "com.microsoft.copilot",
        2.5,
        arpdau=0.005,
        retention=0.25,
        excluded=NO_CHINA,
    ),
    SampleApp(
        "paramount-plus",
        "Paramount+",
        "CBS Interactive",
        "6016",
        "530168168",
        "com.cbs.ott",
        4.0,
        arpdau=0.25,
        retention=0.35,
        markets=frozenset(
            {"us", "ca", "gb", "au", "de", "fr", "it", "mx", "br", "ar", "cl", "co", "kr"}
        ),
        boost={"us": 6.0},
    ),
    SampleApp(
        "temu",
        "Temu: Shop Like a Billionaire",
        "Temu",
        "6024",
        "1641486558",
        "com.einnovation.temu",
        40.0,
        retention=0.40,
        excluded=NO_CHINA,
    ),
    SampleApp(
        "fox-sports",
        "FOX Sports: Watch Live",
        "FOX Sports Interactive",
        "6004",
        "367623543",
        "com.foxsports.android",
        2.0,
        arpdau=0.02,
        retention=0.30,
        markets=frozenset({"us", "mx", "au"}),
        boost={"us": 10.0},
    ),
    SampleApp(
        "bluesky",
        "Bluesky Social",
        "Bluesky PBC",
        "6005",
        "6444370199",
        "xyz.blueskyweb.app",
        5.0,
        retention=0.40,
        excluded=NO_CHINA,
        boost={"us": 2.5},
    ),
    SampleApp(
        "reelshort",
        "ReelShort - Stream Drama & TV",
        "NEWLEAF PUBLISHING INC.",
        "6016",
        "1636235979",
        "com.newleaf.app.android.victor",
        10.0,
        arpdau=0.35,
        retention=0.25,
        boost={"us": 1.6},
    ),
    SampleApp(
        "vpn-super-unlimited-proxy",
        "VPN - Super Unlimited Proxy",
        "Mobile Jump Pte Ltd",
        "6002",
        "1370293473",
        "com.free.vpn.super.hotspot.open",
        12.0,
        arpdau=0.04,
        retention=0.30,
    ),
    SampleApp(
        "threads",
        "Threads",
        "Instagram, Inc.",
        "6005",
        "6446901002",
        "com.instagram.barcelona",
        22.0,
        retention=0.45,
        excluded=NO_CHINA,
    ),
    SampleApp(
        "google",
        "Google",
        "Google",
        "6002",
        "284815942",
        "com.google.android.googlequicksearchbox",
        16.0,
        retention=0.60,
        excluded=NO_CHINA,
    ),
    SampleApp(
        "tiktok",
        "TikTok",
        "TikTok Ltd.",
        "6016",
        "835599320",
        "com.zhiliaoapp.musically",
        30.0,
        arpdau=0.08,
        retention=0.60,
        excluded=NO_CHINA,
        boost={"us": 0.5},
    ),
    SampleApp(
        "instagram",
        "Instagram",
        "Instagram, Inc.",
        "6008",
        "389801252",
        "com.instagram.android",
        28.0,
        retention=0.65,
        excluded=NO_CHINA,
        boost={"us": 0.5},
    ),
    SampleApp(
        "whatsapp",
        "WhatsApp Messenger",
        "WhatsApp Inc.",
        "6005",
        "310633997",
        "com.whatsapp",
        30.0,
        retention=0.80,
        excluded=NO_CHINA,
        boost={"us": 0.3},
    ),
    SampleApp(
        "capcut",
        "CapCut - Video Editor",
        "Bytedance Pte. Ltd",
        "6008",
        "1500855883",
        "com.lemon.lvoverseas",
        24.0,
        arpdau=0.03,
        retention=0.35,
        excluded=NO_CHINA,
        boost={"us": 0.5},
    ),
    SampleApp(
        "youtube",
        "YouTube",
        "Google",
        "6016",
        "544007664",
        "com.google.android.youtube",
        12.0,
        arpdau=0.05,
        retention=0.70,
        excluded=NO_CHINA,
    ),
    SampleApp(
        "google-maps",
        "Google Maps",
        "Google",
        "6010",
        "585027354",
        "com.google.android.apps.maps",
        9.0,
        retention=0.55,
        excluded=NO_CHINA,
    ),
    SampleApp(
        "gmail",
        "Gmail - Email by Google",
        "Google",
        "6007",
        "422689480",
        "com.google.android.gm",
        7.0,
        retention=0.70,
        excluded=NO_CHINA,
    ),
    SampleApp(
        "telegram",
        "Telegram Messenger",
        "Telegram FZ-LLC",
        "6005",
        "686449807",
        "org.telegram.messenger",
        14.0,
        arpdau=0.01,
        retention=0.60,
        excluded=NO_CHINA,
        boost={"ru": 4.0, "ua": 3.0, "uz": 4.0, "kz": 3.0},
    ),
    SampleApp(
        "netflix",
        "Netflix",
        "Netflix, Inc.",
        "6016",
        "363590051",
        "com.netflix.mediaclient",
        8.0,
        arpdau=0.30,
        retention=0.60,
        excluded=NO_CHINA,
    ),
    SampleApp(
        "spotify",
        "Spotify: Music and Podcasts",
        "Spotify",
        "6011",
        "324684580",
        "com.spotify.music",
        9.0,
        arpdau=0.12,
        retention=0.60,
        excluded=NO_CHINA,
    ),
    SampleApp(
        "shein",
        "SHEIN - Shopping Online",
        "Roadget Business PTE. LTD.",
        "6024",
        "878577184",
        "com.zzkko",
        16.0,
        retention=0.35,
        excluded=NO_CHINA,
    ),
    SampleApp(
        "max",
        "Max: Stream HBO, TV, & Movies",
        "WarnerMedia Global Digital Services, LLC",
        "6016",
        "1666653815",
        "com.wbd.stream",
        3.0,
        arpdau=0.30,
        retention=0.40,
        markets=frozenset({"us", "mx", "br", "ar", "co", "cl", "es", "se", "no", "dk", "fi"}),
    ),
    SampleApp(
        "roblox",
        "Roblox",
        "Roblox Corporation",
        "6014",
        "431946152",
        "com.roblox.client",
        12.0,
        arpdau=0.45,
        retention=0.50,
        excluded=NO_CHINA,
    ),
    SampleApp(
        "facebook",
        "Facebook",
        "Meta Platforms, Inc.",
        "6005",
        "284882215",
        "com.facebook.katana",
        14.0,
        retention=0.70,
        excluded=NO_CHINA,
        boost={"us": 0.4},
    ),
    SampleApp(
        "snapchat",
        "Snapchat",
        "Snap, Inc.",
        "6008",
        "447188370",
        "com.snapchat.android",
        10.0,
        arpdau=0.04,
        retention=0.60,
        excluded=NO_CHINA,
        boost={"us": 0.6},
    ),
    SampleApp(
        "amazon-shopping",
        "Amazon Shopping",
        "AMZN Mobile LLC",
        "6024",
        "297606951",
        "com.amazon.mShop.android.shopping",
        8.0,
        retention=0.50,
        excluded=NO_CHINA,
        boost={"us": 0.5},
    ),
    SampleApp(
        "mcdonalds",
        "McDonald's",
        "McDonald's USA, LLC",
        "6023",
        "922103212",
        "com.mcdonalds.app",
        7.0,
        retention=0.30,
        excluded=NO_CHINA,
    ),
    SampleApp(
        "doubao",
        "豆包",
        "Beijing Chuntian Zhiyun Technology Co., Ltd.",
        "6007",
        "6459478672",
        None,
        25.0,
        retention=0.35,
        markets=frozenset({"cn"}),
    ),
    SampleApp(
        "wechat",
        "WeChat",
        "WeChat",
        "6005",
        "414478124",
        "com.tencent.mm",
        6.0,
        retention=0.90,
        boost={"cn": 12.0},
    ),
    SampleApp(
        "douyin",
        "抖音",
        "Beijing Microlive Vision Technology Co., Ltd",
        "6016",
        "1142110895",
        None,
        40.0,
        arpdau=0.06,
        retention=0.70,
        markets=frozenset({"cn"}),
    ),
    SampleApp(
        "taobao",
        "淘宝",
        "Taobao (China) Software Co.,Ltd",
        "6024",
        "387682726",
        None,
        30.0,
        retention=0.50,
        markets=frozenset({"cn"}),
    ),
    # Paid apps.
    SampleApp(
        "minecraft",
        "Minecraft: Dream it, Build it!",
        "Mojang",
        "6014",
        "479516143",
        "com.mojang.minecraftpe",
        1.6,
        price=6.99,
        arpdau=0.10,
        retention=0.50,
    ),
    SampleApp(
        "shadowrocket",
        "Shadowrocket",
        "Shadow Launch Technology Limited",
        "6002",
        "932747118",
        None,
        0.7,
        price=2.99,
        retention=0.50,
        excluded=NO_CHINA,
    ),
    SampleApp(
        "procreate-pocket",
        "Procreate Pocket",
        "Savage Interactive Pty Ltd",
        "6008",
        "916366645",
        None,
        0.4,
        price=5.99,
        retention=0.40,
    ),
    SampleApp(
        "bloons-td-6",
        "Bloons TD 6",
        "Ninja Kiwi",
        "6014",
        "1118115766",
        "com.ninjakiwi.bloonstd6",
        0.9,
        price=6.99,
        arpdau=0.05,
        retention=0.40,
    ),
    SampleApp(
        "geometry-dash",
        "Geometry Dash",
        "RobTop Games AB",
        "6014",
        "625334537",
        "com.robtopx.geometryjump",
        0.8,
        price=4.99,
        retention=0.35,
    ),
    SampleApp(
        "stardew-valley",
        "Stardew Valley",
        "ConcernedApe",
        "6014",
        "1406710800",
        "com.chucklefish.stardewvalley",
        0.5,
        price=4.99,
        retention=0.45,
    ),
    SampleApp(
        "heads-up",
        "Heads Up!",
        "Warner Bros.",
        "6014",
        "623592465",
        "com.wb.headsup",
        0.5,
        price=1.99,
        retention=0.20,
    ),
)

_ADJECTIVES = (
    "Pixel Super Smart Happy Magic Tiny Epic Royal Lucky Swift Bright Daily Pocket Quick Zen "
    "Cosmic Wild Golden Secret Hyper Urban Cozy Brave Crystal Neon Fresh Mighty Silent Sunny"
).split()
_NOUNS = (
    "Quest Notes Budget Chef Run Puzzle Garden Photo Fitness Music Wallet Journey Kingdom Chat "
    "Scanner Weather Tasks Dance Farm Words Cards Racer Tiles Camera Diary Translate Sleep Yoga "
    "Market Tracker Planner Blocks Match Stories"
).split()
_SUFFIXES = ("", "", "", " Pro", " Plus", " 3D", " Lite", " HD", ": Classic", " Go", " Live")
_DEV_WORDS = "Studio Labs Games Apps Digital Interactive Soft Media Works Tech".split()


# The most popular a generated app can be: below the real hits of the catalog
# (ChatGPT 60, Temu 40, TikTok 30), so the charts' leaders are apps people know.
LONG_TAIL_CAP = 12.0


def generate_long_tail(rng: np.random.Generator, count: int) -> list[SampleApp]:
    """Generated apps with Pareto popularity (capped): a few hits and many small apps."""
    genre_ids = list(GENRES)
    genre_weights = np.array([3 if g == "6014" else 1 for g in genre_ids], dtype=float)
    genre_weights /= genre_weights.sum()
    apps: list[SampleApp] = []
    seen: set[str] = set()
    countries = list(ALL_COUNTRIES)
    while len(apps) < count:
        name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}{rng.choice(_SUFFIXES)}"
        key = name.lower().replace(":", "").replace(" ", "-")
        if key in seen:
            continue
        seen.add(key)
        genre = str(rng.choice(genre_ids, p=genre_weights))
        paid = rng.random() < 0.25
        developer = f"{name.split()[0]} {rng.choice(_DEV_WORDS)}"
        slug = key.replace("-", "")
        on_app_store = rng.random() < 0.9
        on_play = rng.random() < 0.8 or not on_app_store
        local = rng.random() < 0.3
        home = str(rng.choice(countries)) if local else None
        markets = None
        if local:
            others = rng.choice(countries, size=int(rng.integers(0, 12)), replace=False)
            markets = frozenset({home, *map(str, others)})
        apps.append(
            SampleApp(
                key=key,
                name=name,
                developer=developer,
                genre_id=genre,
                app_store_id=str(int(rng.integers(1_000_000_000, 6_800_000_000)))
                if on_app_store
                else None,
                play_id=f"com.{developer.split()[1].lower()}.{slug}" if on_play else None,
                popularity=min(
                    float((rng.pareto(1.1) + 1) * (0.12 if paid else 0.2)), LONG_TAIL_CAP
                ),
                price=float(rng.choice([0.99, 1.99, 2.99, 4.99, 9.99])) if paid else 0.0,
                arpdau=float(
                    rng.choice([0.0, 0.0, 0.01, 0.05, 0.2]) * (3 if genre == "6014" else 1)
                ),
                retention=float(rng.uniform(0.1, 0.5)),
                home=home,
                markets=markets,
                release=dt.date(2025, 1, 1) + dt.timedelta(days=int(rng.integers(-900, 38)))
                if rng.random() < 0.15
                else dt.date(2020, 1, 1) - dt.timedelta(days=int(rng.integers(0, 3000))),
            )
        )
    return apps


def build_catalog(rng: np.random.Generator, long_tail: int = 760) -> list[SampleApp]:
    return [*NAMED_APPS, *generate_long_tail(rng, long_tail)]
