"""Who is using the portal: language, sign-in, idle time-out, and the role check of a page.

A sign-in is a session kept in the ledger (salnameh.sessions): the browser holds its token
in a cookie, so the session holds across reloads and across portal processes that share
the ledger, and signing out ends it everywhere.

A page that needs a role calls `require(action)`: it returns the signed-in Actor when the
core (`salnameh.access`) allows the action, else it shows why (in the reader's language)
and stops the page. Hiding a page from the menu is only a convenience; this check is the
rule, and the core functions a page calls check the actor again.
"""

from __future__ import annotations

import contextlib
import time

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from dashboards.context import ledger
from salnameh.access import ROLE_TITLES, Actor, Forbidden
from salnameh.access import require as core_require
from salnameh.sessions import LIFETIME, Sessions
from salnameh.users import AuthenticationFailed, TooManyAttempts, Users

# A signed-in user idle for this long is signed out: a shared office computer left open
# must not keep an expert's or a liaison's rights.
IDLE_TIMEOUT_S = 30 * 60

ACTOR, SEEN, LANG, TOKEN = "actor", "last_seen", "lang", "session_token"
# The browser's cookie holding the session's token (the ledger keeps only its hash).
COOKIE = "salnameh_session"


def lang() -> str:
    """The reader's language: Persian unless they switched to English."""
    return st.session_state.get(LANG, "fa")


def tr(fa: str, en: str) -> str:
    """The text in the reader's language."""
    return fa if lang() == "fa" else en


def keep_choices(*prefixes: str) -> None:
    """Keep a page's choices across the language switch: each widget whose key starts with
    one of `prefixes` gets the reader's choice again. Call it at the top of the page,
    before any of those widgets is drawn; name only choices (a button's, a download's or
    a chart's key takes no value from the page, and Streamlit refuses one).

    Why: Streamlit keeps a choice widget's value as the text the browser shows for it (a
    radio's option label, a multiselect's tags, a slider's years in their digits). The
    switch changes every such text, so on the run after it the browser's old text matches
    no option, and the widget falls back to its default (the first table, the first
    option, no tags). Read here, before the widget is drawn, the value is still the
    reader's choice (decoded with the options of the run before); set again by the page,
    it is the value Streamlit gives the widget. A value the page sets also outlives a run
    that does not draw its widget (a base year shown only for an index), where Streamlit
    drops a widget's own value.

    A range slider is a range by its `value` argument, so its key is not named here: its
    page passes the kept span as `value`, which the slider falls back to in the same case.
    """
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefixes)]:
        keep_choice(key)


def keep_choice(key: str) -> None:
    """Keep one choice widget's value across the language switch (as keep_choices), called
    just before the widget is drawn."""
    if key in st.session_state:
        st.session_state[key] = st.session_state[key]


def current_actor() -> Actor | None:
    """The signed-in Actor, or None; a session ended elsewhere or idle is signed out here."""
    actor = _session_actor()
    _sync_cookie(st.session_state.get(TOKEN, ""))
    return actor


def _session_actor() -> Actor | None:
    token = st.session_state.get(TOKEN) or _cookie()
    if token:
        actor = Sessions(ledger()).actor(token)  # the ledger decides, on every run
        if actor is None:
            was_signed_in = ACTOR in st.session_state
            _forget()
            if was_signed_in:
                st.session_state["signed_out_reason"] = "idle"
            return None
        st.session_state[TOKEN], st.session_state[ACTOR] = token, actor
        return actor
    # An actor without a session: set by the pages' own tests (AppTest), never by a user.
    actor = st.session_state.get(ACTOR)
    if actor is None:
        return None
    now = time.monotonic()
    if now - st.session_state.get(SEEN, now) > IDLE_TIMEOUT_S:
        _forget()
        st.session_state["signed_out_reason"] = "idle"
        return None
    st.session_state[SEEN] = now
    return actor


def sign_in(user_id: str, password: str) -> tuple[Actor | None, str]:
    """Check the password in the core (rate-limited there); ('', actor) or (None, why)."""
    try:
        actor = Users(ledger()).authenticate(user_id.strip(), password)
    except (AuthenticationFailed, TooManyAttempts) as refused:
        return None, tr(refused.fa, refused.en)
    st.session_state[ACTOR] = actor
    st.session_state[TOKEN] = Sessions(ledger()).begin(actor)
    st.session_state[SEEN] = time.monotonic()
    st.session_state.pop("signed_out_reason", None)
    return actor, ""


def sign_out() -> None:
    """End the user's sessions everywhere (every browser, every portal process)."""
    actor = st.session_state.get(ACTOR)
    if actor is not None and st.session_state.get(TOKEN):
        Sessions(ledger()).end_everywhere(actor.user_id)
    _forget()


def _forget() -> None:
    for key in (ACTOR, SEEN, TOKEN):
        st.session_state.pop(key, None)


def _cookie() -> str:
    """The session token the browser sent when it connected ('' for none; a page run
    outside a server, as AppTest runs one, has no cookies to read)."""
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) else ""


def _sync_cookie(token: str) -> None:
    """Give the browser the session's cookie, or take it back, once per change.

    Streamlit has no call to set a cookie, so the page's script sets it (on a run that
    shows the page, not on one a rerun cuts short). Strict same-site: no other site's page
    sends it. The cookie only carries the token: the ledger decides whether it is live."""
    browser_has = st.session_state.get("cookie_sent", _cookie())
    if token == browser_has:
        return
    seconds = int(LIFETIME.total_seconds()) if token else 0
    st.html(
        f"<script>document.cookie = '{COOKIE}={token}; Path=/; Max-Age={seconds};"
        " SameSite=Strict';</script>",
        unsafe_allow_javascript=True,
    )
    st.session_state["cookie_sent"] = token


def role_title(actor: Actor) -> str:
    fa, en = ROLE_TITLES[actor.role]
    return tr(fa, en)


def require(action: str, agency: str | None = None) -> Actor:
    """The signed-in actor if the core allows `action`; otherwise explain and stop the page."""
    actor = current_actor()
    if actor is None:
        st.warning(tr("برای دیدن این صفحه وارد شوید.", "Sign in to see this page."))
        # A page run on its own (outside the app's menu, as AppTest runs one) has no
        # sign-in page to link to; the warning above still says what to do.
        with contextlib.suppress(StreamlitPageNotFoundError):
            st.page_link("screens/sign_in.py", label=tr("ورود", "Sign in"))
        st.stop()
    try:
        core_require(actor, action, agency)
    except Forbidden as refused:
        st.error(tr(refused.fa, refused.en))
        st.stop()
    return actor
