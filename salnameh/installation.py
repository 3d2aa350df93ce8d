"""Setting up a home for one province: `salnameh init --province NN`.

A home's ledger, archive and warehouse belong to the province it was made for, so a home
is never switched to another province: that needs a new home folder.
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
