"""Run from the repository root: candidate ACLED x UCDP pairs (Syria 2017) for blind gold coding: a broad window (±5 days, ≤ 40 km),
sampled stratified by distance and day gap; split dev/test by a seeded hash of the pair id."""
import hashlib
import json
import math
import random
from pathlib import Path

import numpy as np
import pandas as pd

acled = pd.read_csv("../shared/eval/acled_syria_2017.csv")
ucdp = pd.read_csv("../shared/eval/ucdp_ged_syria_2016_2017.csv")
acled["day"] = pd.to_datetime(acled["event_date"], format="%d %B %Y")
ucdp["start"] = pd.to_datetime(ucdp["date_start"]).dt.normalize()
ucdp["end"] = pd.to_datetime(ucdp["date_end"]).dt.normalize()
ucdp = ucdp[(ucdp["start"].dt.year == 2017) & (ucdp["date_prec"] <= 2) & (ucdp["where_prec"] <= 3)]
acled = acled[acled["geo_precision"] <= 2]
rng = random.Random(20261208)  # noqa: S311 - a reproducible sample, not a secret
pairs = []
ub = ucdp.to_dict("records")
byday = {}
for u in ub:
    byday.setdefault(u["start"], []).append(u)
for a in acled.to_dict("records"):
    for d in range(-5, 6):
        for u in byday.get(a["day"] + pd.Timedelta(days=d), []):
            la1, lo1, la2, lo2 = map(math.radians, (a["latitude"], a["longitude"], u["latitude"], u["longitude"]))
            km = 6371 * 2 * math.asin(math.sqrt(math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2))
            if km <= 40:
                pairs.append((a, u, km, d))
print(len(pairs), "pairs in the window")
def bucket(km, d):
    return (0 if km < 2 else 1 if km < 10 else 2, 0 if d == 0 else 1 if abs(d) <= 1 else 2)
strata = {}
for p in pairs:
    strata.setdefault(bucket(p[2], p[3]), []).append(p)
chosen = []
for k in sorted(strata):
    rng.shuffle(strata[k])
    chosen += strata[k][:36]
print(len(chosen), {k: len(v) for k, v in sorted(strata.items())})
def rec_a(a):
    return {k: (None if pd.isna(a[k]) else a[k]) for k in ["event_id_cnty", "event_date", "sub_event_type", "actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "admin1", "admin2", "location", "latitude", "longitude", "geo_precision", "source", "notes", "fatalities"]}
def rec_u(u):
    return {k: (None if pd.isna(u[k]) else (int(u[k]) if isinstance(u[k], (np.integer,)) else u[k])) for k in ["id", "date_start", "date_end", "type_of_violence", "dyad_name", "side_a", "side_b", "source_headline", "source_office", "where_coordinates", "adm_1", "adm_2", "latitude", "longitude", "where_prec", "best", "deaths_civilians"]}
out = {"dev": [], "test": []}
for a, u, km, d in chosen:
    pid = f"{a['event_id_cnty']}~{int(u['id'])}"
    split = "test" if int(hashlib.sha256(pid.encode()).hexdigest(), 16) % 2 else "dev"
    out[split].append({"pair_id": pid, "km_apart": round(km, 1), "days_apart": d, "acled": rec_a(a), "ucdp": rec_u(u)})
for split, rows in out.items():
    rng.shuffle(rows)
    with Path(f"var/match_gold/pairs_{split}.jsonl").open("w") as f:
        for r in rows:
            f.write(json.dumps(r, default=str, ensure_ascii=False) + "\n")
    print(split, len(rows))
