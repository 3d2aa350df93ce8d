"""Setting up a home for one province (`salnameh init --province NN`) or SCI's national
hub (`salnameh init --national`).

A home's ledger, archive and warehouse belong to the province it was made for, so a home
is never switched to another province, nor between a province and the nation: that needs
a new home folder.
"""

from __future__ import annotations

import re

from salnameh.reference import Reference
from salnameh.settings import Home

SCI_PROVINCE_CODES = range(31)  # 00 (Markazi) to 30 (Alborz)


class InstallationRefused(Exception):
    """A province the home cannot take, said in Persian and English."""

    def __init__(self, fa: str, en: str) -> None:
        super().__init__(en)
        self.fa = fa
        self.en = en


def check_code(code: str) -> str:
    """The code if it is written as an SCI province code, else refused."""
    if not re.fullmatch(r"\d{2}", code) or int(code) not in SCI_PROVINCE_CODES:
        raise InstallationRefused(
            f"کد استان «{code}» درست نیست: کد دو رقمی مرکز آمار ایران، از 00 تا 30.",
            f"'{code}' is not a province code: SCI codes are two digits, 00 to 30.",
        )
    return code


def check_known(code: str, reference: Reference) -> str:
    """The code if the reference seeds hold the province's geography, else refused."""
    if code not in reference.provinces:
        known = ", ".join(f"{p.code} {p.name_en}" for p in reference.provinces.values())
        raise InstallationRefused(
            f"استان {code} در داده‌های مرجع (geography.csv) نیست. استان‌های موجود: {known}",
            f"Province {code} is not in the reference seeds (geography.csv); they hold: {known}.",
        )
    return code


def initialise(home: Home, province: str | None, reference: Reference) -> Home:
    """Create the home's folders and record its province; without a province, the home
    keeps the one it has (the default installation for a new home)."""
    if home.is_national:
        raise InstallationRefused(
            f"این پوشه ({home.root}) مرکز ملی است و پوشه استان نمی‌شود. برای استان پوشه "
            "تازه‌ای بسازید (--home).",
            f"This home ({home.root}) is a national hub and cannot serve a province. Use a "
            "new home folder (--home) for a province.",
        )
    current = home.province
    chosen = check_code(province if province is not None else current)
    recorded = home.installation_path.exists()
    if chosen != current and (recorded or home.holds_data):
        raise InstallationRefused(
            f"این پوشه ({home.root}) از آن استان {current} است و به استان {chosen} تغییر "
            "نمی‌کند. برای استان دیگر پوشه تازه‌ای بسازید (--home).",
            f"This home ({home.root}) belongs to province {current} and cannot change to "
            f"province {chosen}. Use a new home folder (--home) for another province.",
        )
    check_known(chosen, reference)
    home.create()
    if not recorded:
        home.record_province(chosen)
    return home


def initialise_national(home: Home) -> Home:
    """Create SCI's national hub: a home that receives provinces' packages. A province's
    home (one recorded, or holding a province's work) is not turned into one."""
    if not home.is_national and (home.installation_path.exists() or home.holds_data):
        raise InstallationRefused(
            f"این پوشه ({home.root}) از آن استان {home.province} است و مرکز ملی نمی‌شود. "
            "برای مرکز ملی پوشه تازه‌ای بسازید (--home).",
            f"This home ({home.root}) belongs to province {home.province} and cannot become "
            "a national hub. Use a new home folder (--home) for the hub.",
        )
    home.create()
    if not home.is_national:
        home.record_national()
    return home


def refuse_agency_files(home: Home) -> None:
    """A national hub takes provinces' packages, never an agency's file."""
    if home.is_national:
        raise InstallationRefused(
            "این پوشه مرکز ملی است: پرونده دستگاه‌ها را استان‌ها می‌گیرند و مرکز ملی بسته "
            "انتشار استان‌ها را با «salnameh national receive» دریافت می‌کند.",
            "This home is a national hub: agencies' files go to their province's "
            "installation, and the hub takes the provinces' released packages with "
            "`salnameh national receive`.",
        )
