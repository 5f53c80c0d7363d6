"""Quảng Nam 2020 ICT-application index (Quyết định 187/QĐ-UBND, 19/1/2021), 100 points.

Published (seed article "Quảng Nam xếp hạng ứng dụng CNTT của các CQHC nhà nước"): the eleven
departments at 90 or more in their order, the others between 80 and 89,5, all Tốt; Thăng Bình 96
and Tam Kỳ 95,5 on top, Hội An 84,1, 13 Tốt and 5 Khá districts between 74 and 79; and the
province-wide online public services: level 3 for 539 of 1,800 procedures, level 4 for 253.
"""

from __future__ import annotations

from dti.data.spec import DatasetSpec, Result, Unit
from dti.data.synth import BuildError, Cell

__all__ = ["DVC_LEVEL3", "DVC_LEVEL4", "DVC_PROCEDURES", "SPEC"]

PERIOD = "2020"
SO = "so"
HUYEN = "huyen"
DVC_PROCEDURES = 1800
DVC_LEVEL3 = 539
DVC_LEVEL4 = 253
# ict-2020 3.2: procedures offered online at level 3 or higher (a level-4 service meets every
# level-3 requirement); 3.3: those offered at level 4. The article counts each level apart
# (539 at level 3 + 253 at level 4 = 792 online), so 3.2 holds 539 + 253 summed over departments.
LEVEL3, LEVEL4 = "3.2", "3.3"

# (code, name, score, score published, procedures in the department's sector catalogue)
DEPARTMENTS: tuple[tuple[str, str, float, bool, int], ...] = (
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", 91.8, False, 128),
    ("SGTVT", "Sở Giao thông vận tải", 91.55, False, 142),
    ("STTTT", "Sở Thông tin và Truyền thông", 91.3, False, 48),
    ("STC", "Sở Tài chính", 91.1, False, 34),
    ("VPUBND", "Văn phòng UBND tỉnh", 90.9, False, 14),
    ("STNMT", "Sở Tài nguyên và Môi trường", 90.7, False, 118),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", 90.55, False, 132),
    ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội", 90.4, False, 126),
    ("BQLKKT", "Ban Quản lý Khu kinh tế mở Chu Lai", 90.25, False, 96),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", 90.1, False, 138),
    ("SCT", "Sở Công Thương", 90.0, False, 152),
    ("SNV", "Sở Nội vụ", 89.5, True, 84),
    ("STP", "Sở Tư pháp", 88.25, False, 168),
    ("SKHCN", "Sở Khoa học và Công nghệ", 87.4, False, 56),
    ("SGDDT", "Sở Giáo dục và Đào tạo", 86.1, False, 92),
    ("SYT", "Sở Y tế", 84.75, False, 168),
    ("SXD", "Sở Xây dựng", 83.2, False, 80),
    ("TTT", "Thanh tra tỉnh", 81.6, False, 10),
    ("SNGV", "Sở Ngoại vụ", 80.0, True, 14),
)
TOP_ELEVEN = 11

DISTRICTS: tuple[tuple[str, str, float, bool], ...] = (
    ("THANGBINH", "UBND huyện Thăng Bình", 96.0, True),
    ("TAMKY", "UBND TP. Tam Kỳ", 95.5, True),
    ("DIENBAN", "UBND TX. Điện Bàn", 93.2, False),
    ("NUITHANH", "UBND huyện Núi Thành", 91.8, False),
    ("DAILOC", "UBND huyện Đại Lộc", 90.4, False),
    ("DUYXUYEN", "UBND huyện Duy Xuyên", 89.1, False),
    ("QUESON", "UBND huyện Quế Sơn", 87.6, False),
    ("PHUNINH", "UBND huyện Phú Ninh", 86.3, False),
    ("HOIAN", "UBND TP. Hội An", 84.1, True),
    ("TIENPHUOC", "UBND huyện Tiên Phước", 83.5, False),
    ("BACTRAMY", "UBND huyện Bắc Trà My", 82.2, False),
    ("NONGSON", "UBND huyện Nông Sơn", 81.4, False),
    ("HIEPDUC", "UBND huyện Hiệp Đức", 80.3, False),
    ("PHUOCSON", "UBND huyện Phước Sơn", 79.0, True),
    ("DONGGIANG", "UBND huyện Đông Giang", 77.6, False),
    ("NAMGIANG", "UBND huyện Nam Giang", 76.3, False),
    ("TAYGIANG", "UBND huyện Tây Giang", 75.2, False),
    ("NAMTRAMY", "UBND huyện Nam Trà My", 74.0, True),
)

# Points a unit can reach without the two online-service leaves (6 + 6 points).
_WITHOUT_DVC = 88.0
_SHARE_LEVEL3 = 0.68  # of a department's online services, the share offered at level 3 only
_DISTRICT_PROCEDURES = (281, 296, 274, 302, 288, 311, 279, 293, 284, 305, 270, 299, 287, 276)


def _needed_share(score: float) -> float:
    """Share of procedures online a unit needs: 3.2 and 3.3 give 6 × (1 + 0.32) points for it."""
    return max(0.0, (score - _WITHOUT_DVC + 0.7) / (6.0 * (2.0 - _SHARE_LEVEL3)))


def _split(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to ``weights`` adding up to ``total`` (largest remainders)."""
    raw = [total * w / sum(weights) for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def allocate_dvc() -> dict[str, tuple[int, int, int]]:
    """Per department: (procedures, level 3, level 4), summing to 1,800 / 539 / 253.

    Each department gets at least the online share its score needs; the rest of the province's
    online services is spread in proportion to the procedures left.
    """
    if sum(d[4] for d in DEPARTMENTS) != DVC_PROCEDURES:
        raise BuildError("procedure counts do not add up to 1,800")
    need = [round(_needed_share(d[2]) * d[4]) for d in DEPARTMENTS]
    extra = _split(
        DVC_LEVEL3 + DVC_LEVEL4 - sum(need),
        [d[4] - n for d, n in zip(DEPARTMENTS, need, strict=True)],
    )
    online = [n + e for n, e in zip(need, extra, strict=True)]
    level3 = _split(DVC_LEVEL3, [o * _SHARE_LEVEL3 for o in online])
    out = {}
    for dept, total, three in zip(DEPARTMENTS, online, level3, strict=True):
        four = total - three
        if four < 0 or total > dept[4]:
            raise BuildError(f"{dept[0]}: cannot offer {total} online of {dept[4]}")
        out[dept[0]] = (dept[4], three, four)
    return out


def _department_results() -> list[Result]:
    dvc = allocate_dvc()
    out = []
    for code, _name, score, is_published, _n in DEPARTMENTS:
        procedures, three, four = dvc[code]
        out.append(
            Result(f"QN-{code}", PERIOD, score, is_published, pinned=_pins(procedures, three, four))
        )
    return out


def _pins(procedures: int, level3: int, level4: int) -> dict[str, Cell]:
    return {
        LEVEL3: Cell(LEVEL3, level3 + level4, procedures),
        LEVEL4: Cell(LEVEL4, level4, procedures),
    }


def _district_results() -> list[Result]:
    """Districts' own procedures (reconstructed), with level 4 never above level 3 or higher."""
    out = []
    for i, (code, _name, score, is_published) in enumerate(DISTRICTS):
        procedures = _DISTRICT_PROCEDURES[i % len(_DISTRICT_PROCEDURES)]
        online = round(min(0.97, max(0.25, _needed_share(score) + 0.1)) * procedures)
        four = round(online * 0.5)
        pins = _pins(procedures, online - four, four)
        out.append(Result(f"QN-{code}", PERIOD, score, is_published, pinned=pins))
    return out


def _units() -> tuple[Unit, ...]:
    departments = tuple(Unit(f"QN-{c}", name, SO) for c, name, *_rest in DEPARTMENTS)
    districts = tuple(Unit(f"QN-{c}", name, HUYEN) for c, name, *_rest in DISTRICTS)
    return departments + districts


def _results() -> tuple[Result, ...]:
    return (*_department_results(), *_district_results())


MANIFEST = {
    "title": "Quảng Nam — kết quả đánh giá, xếp hạng mức độ ứng dụng CNTT năm 2020",
    "province": "Quảng Nam",
    "decision": {
        "number": "187/QĐ-UBND",
        "date": "2021-01-19",
        "issuer": "UBND tỉnh Quảng Nam",
    },
    "framework_decision": {
        "number": "2683/QĐ-UBND",
        "date": "2018-09-05",
        "issuer": "UBND tỉnh Quảng Nam",
    },
    "sources": [
        {
            "title": "Quảng Nam xếp hạng ứng dụng CNTT của các CQHC nhà nước",
            "publisher": "Hoàng Linh (bài báo, 25/01/2021)",
            "seed": "002_b1c1066314bba6ef",
        }
    ],
    "periods": [PERIOD],
    "published": [
        {
            "group": SO,
            "n": 19,
            "band_tot": 19,
            "top_in_order": [f"QN-{d[0]}" for d in DEPARTMENTS[:TOP_ELEVEN]],
            "top_min_score": 90,
            "rest_range": [80, 89.5],
        },
        {"unit": "QN-THANGBINH", "rank": 1, "score": 96},
        {"unit": "QN-TAMKY", "rank": 2, "score": 95.5},
        {"unit": "QN-HOIAN", "score": 84.1},
        {"group": HUYEN, "n": 18, "band_tot": 13, "band_kha": 5, "kha_range": [74, 79]},
        {
            "province_online_services": {
                "procedures": DVC_PROCEDURES,
                "level3": DVC_LEVEL3,
                "level4": DVC_LEVEL4,
            },
            "quote": "tỷ lệ DVCTT mức 3 đạt 30% (539/1800); tỷ lệ DVCTT mức 4: 14% (253/1800)",
            "representation": (
                "Indicators 3.2 (offered online at level 3 or higher) and 3.3 (at level 4) of the "
                "19 departments: each department's denominator is the number of procedures in the "
                "catalogue of its sector (every procedure of the province's 1,800, at whatever "
                "level it is carried out, belongs to one department's sector). Summed over the "
                "departments: denominators 1,800; 3.3 = 253 (level 4); 3.2 − 3.3 = 539 (level 3 "
                "only). The split between departments is reconstructed. 3.2 is read as 'level 3 "
                "or higher' because with exclusive levels the two 6-point leaves could give at "
                "most 6 points together and no unit could exceed 94 (Thăng Bình has 96). The "
                "districts' rows of 3.2/3.3 count the district-level procedures each district "
                "carries out (a subset of the same catalogue), so they are not added to the total."
            ),
        },
    ],
    "notes": [
        "Scores are reconstructed except Thăng Bình 96, Tam Kỳ 95,5, Hội An 84,1 and the range "
        "ends (80 and 89,5 for departments, 74 and 79 for the Khá districts); the order of the "
        "top eleven departments is published.",
        "19 departments were ranked; which 19 is not listed: Ban Dân tộc is left out here "
        "(reconstructed choice).",
        "Conflict: a 2021 article (baoquangnam.vn, 3992/QĐ-UBND) names Sở Giao thông vận tải "
        "(99,5) and Hội An (93) as the 2020 leaders; this dataset follows the 187/QĐ-UBND "
        "article, which lists Sở Nông nghiệp và PTNT first and Hội An at 84,1.",
        "The same article's dossier figures (20,9 % level 3, 36,3 % level 4) are for 2019 and "
        "are not used.",
    ],
}

SPEC = DatasetSpec(
    name="quang-nam-2020",
    manifest=MANIFEST,
    frameworks={SO: "ict-2020", HUYEN: "ict-2020"},
    levels={SO: "so", HUYEN: "huyen"},
    units=_units(),
    results=_results(),
)
