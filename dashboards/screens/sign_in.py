"""Sign-in for staff: liaisons, experts, analysts and the coordinator.

The password is checked by the core (`Users.authenticate`), which records every attempt
and refuses a user after repeated failures; this page only shows the verdict.
"""

from __future__ import annotations

import streamlit as st

from dashboards.context import salnameh_home
from dashboards.session import current_actor, role_title, sign_in, tr

st.title(tr("ورود کاربران", "Staff sign-in"))
actor = current_actor()
if actor is not None:
    st.success(tr(f"با نام {actor.user_id} ({role_title(actor)}) وارد شده‌اید.",
                  f"Signed in as {actor.user_id} ({role_title(actor)})."))  # fmt: skip
    st.stop()

with st.form("sign_in"):
    user_id = st.text_input(tr("نام کاربری", "User name"), key="sign_in_user")
    password = st.text_input(tr("گذرواژه", "Password"), type="password", key="sign_in_password")
    submitted = st.form_submit_button(tr("ورود", "Sign in"))
if submitted:
    signed_in, why = sign_in(user_id, password)
    if signed_in is None:
        st.error(why)
    else:
        st.rerun()

if salnameh_home().demo_staff_path.exists():
    st.info(tr("این نصب، نسخه نمایشی است: نام‌های کاربری و گذرواژه‌های نمونه در پرونده "
               "demo-staff.csv در پوشه خانه سالنامه نوشته شده‌اند.",
               "This is a demo installation: the demo users and their passwords are in "
               "demo-staff.csv in the Salnameh home folder."))  # fmt: skip
