"""The key-account dashboard: `kam dashboard` (or `streamlit run dashboard/app.py`)."""

import streamlit as st

st.set_page_config(page_title="Key accounts", page_icon=":material/handshake:", layout="wide")

pages = {
    "Portfolio": [
        st.Page("pages/portfolio.py", title="Portfolio", icon=":material/insights:", default=True),
        st.Page("pages/scorecard.py", title="Scorecard", icon=":material/leaderboard:"),
        st.Page("pages/mistakes.py", title="Mistakes & oak trees", icon=":material/report:"),
    ],
    "Decide": [
        st.Page("pages/definitions_lab.py", title="Definitions lab", icon=":material/science:"),
        st.Page("pages/account.py", title="Account", icon=":material/apartment:"),
        st.Page("pages/resources.py", title="Resources & cadence", icon=":material/groups:"),
    ],
}
st.navigation(pages).run()
