"""Who may do what: the roles of the cycle, enforced in the core, not only in screens.

- coordinator: runs the cycle (users, collection years, reopening, editions) and may do
  anything an expert or a liaison may;
- expert: reviews (approves or returns) and judges anomalies; reads internal data;
- liaison: bound to one agency; uploads and sees that agency's tables only;
- analyst: reads internal data; decides nothing.

Every refusal is a `Forbidden` with a message in Persian and English saying what was
refused and who may do it instead.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("coordinator", "expert", "liaison", "analyst")
ROLE_TITLES = {
    "coordinator": ("هماهنگ‌کننده", "coordinator"),
    "expert": ("کارشناس", "expert"),
    "liaison": ("رابط دستگاه", "agency liaison"),
    "analyst": ("تحلیلگر", "analyst"),
}

# Action -> the roles that may take it (a liaison only for its own agency).
PERMISSIONS = {
    "upload": ("coordinator", "liaison"),
    "see_agency": ("coordinator", "expert", "analyst", "liaison"),
    "review": ("coordinator", "expert"),
    "judge_anomaly": ("coordinator", "expert"),
    "reopen": ("coordinator",),
    "publish": ("coordinator",),
    "manage_users": ("coordinator",),
    "open_year": ("coordinator",),
    "remind": ("coordinator",),
    "read_internal": ("coordinator", "expert", "analyst"),
    "send_letters": ("coordinator",),
    "extend_deadline": ("coordinator",),
    "read_sla": ("coordinator", "expert", "analyst"),
    "comment": ("coordinator", "expert", "liaison"),
    "approve_clean": ("coordinator", "expert"),
}
ACTION_TITLES = {
    "upload": ("بارگذاری فایل", "upload a file"),
    "see_agency": ("دیدن جدول‌های دستگاه", "see the agency's tables"),
    "review": ("بررسی و تأیید", "review"),
    "judge_anomaly": ("داوری درباره ناهنجاری", "judge an anomaly"),
    "reopen": ("بازگشایی جدول تأییدشده", "reopen an approved table"),
    "publish": ("انتشار ویرایش سالنامه", "publish an edition"),
    "manage_users": ("مدیریت کاربران", "manage users"),
    "open_year": ("گشودن سال گردآوری", "open a collection year"),
    "remind": ("یادآوری به دستگاه‌های دیرکرد", "send reminders to late agencies"),
    "read_internal": ("دیدن داده‌های درونی", "read internal data"),
    "send_letters": ("فرستادن نامه به دستگاه‌ها", "send letters to agencies"),
    "extend_deadline": ("تمدید مهلت جدول", "extend a table's deadline"),
    "read_sla": ("دیدن گزارش سنجش تفاهم‌نامه", "read the agreement's report"),
    "comment": ("گفت‌وگو درباره ارسال", "discuss a submission"),
    "approve_clean": ("تأیید یکجای ارسال‌های بی‌هشدار", "approve clean submissions at once"),
}


@dataclass(frozen=True)
class Actor:
    """An authenticated user, as the core sees them."""

    user_id: str
    role: str
    agency: str | None = None  # a liaison's agency

    def __str__(self) -> str:
        return self.user_id


class Forbidden(PermissionError):
    """An action the actor's role does not allow; fa and en say what and who may."""

    def __init__(self, actor: Actor, action: str, agency: str | None = None) -> None:
        self.actor, self.action, self.agency = actor, action, agency
        what_fa, what_en = ACTION_TITLES[action]
        allowed = PERMISSIONS[action]
        role_fa, role_en = ROLE_TITLES[actor.role]
        if actor.role == "liaison" and agency is not None and "liaison" in allowed:
            self.fa = (f"{actor.user_id} رابط دستگاه {actor.agency} است و نمی‌تواند برای دستگاه "
                       f"{agency} {what_fa} کند.")  # fmt: skip
            self.en = (f"{actor.user_id} is the liaison of {actor.agency} and cannot "
                       f"{what_en} for {agency}.")  # fmt: skip
        else:
            who_en = ", ".join(ROLE_TITLES[r][1] for r in allowed)
            who_fa = "، ".join(ROLE_TITLES[r][0] for r in allowed)
            self.fa = f"نقش {role_fa} اجازه «{what_fa}» ندارد؛ این کار با {who_fa} است."
            self.en = f"A {role_en} cannot {what_en}; only: {who_en}."
        super().__init__(self.en)


def can(actor: Actor, action: str, agency: str | None = None) -> bool:
    if actor.role not in PERMISSIONS[action]:
        return False
    if actor.role == "liaison" and agency is not None:
        return agency == actor.agency
    return True


def require(actor: Actor, action: str, agency: str | None = None) -> None:
    """Return if the actor may take the action (for that agency), else raise Forbidden."""
    if not can(actor, action, agency):
        raise Forbidden(actor, action, agency)


class SignInRequired(PermissionError):
    """An action no one may take without signing in first; fa and en say who may."""

    def __init__(self, action: str) -> None:
        self.action = action
        what_fa, what_en = ACTION_TITLES[action]
        allowed = PERMISSIONS[action]
        who_en = ", ".join(ROLE_TITLES[r][1] for r in allowed)
        who_fa = "، ".join(ROLE_TITLES[r][0] for r in allowed)
        self.fa = f"«{what_fa}» نیاز به ورود دارد: با --as وارد شوید ({who_fa})."
        self.en = f"To {what_en} you must sign in: give --as (only: {who_en})."
        super().__init__(self.en)
