"""The key-account dashboard: `kam dashboard` (or `streamlit run dashboard/app.py`).

The page scripts live in `views/`, not `pages/`: Streamlit treats a `pages/` folder as pages of
their own, and a server whose first visitor opens a bookmarked page URL would then run that
script without this router (no navigation, file names in the sidebar)."""

from pathlib import Path

import streamlit as st

# A file of our own: a Material icon as the page icon is fetched from Google's font server, which
# an offline machine cannot reach (the sidebar's icons are served by Streamlit itself).
st.set_page_config(
    page_title="Key accounts",
    page_icon=str(Path(__file__).parent / "assets" / "favicon.png"),
    layout="wide",
)

pages = {
    "Portfolio": [
        st.Page("views/portfolio.py", title="Portfolio", icon=":material/insights:", default=True),
        st.Page("views/scorecard.py", title="Scorecard", icon=":material/leaderboard:"),
        st.Page("views/matrix.py", title="Portfolio matrix", icon=":material/grid_view:"),
        st.Page("views/mistakes.py", title="Mistakes & oak trees", icon=":material/report:"),
    ],
    "Decide": [
        st.Page("views/definitions_lab.py", title="Definitions lab", icon=":material/science:"),
        st.Page("views/account.py", title="Account", icon=":material/apartment:"),
        st.Page("views/resources.py", title="Resources & cadence", icon=":material/groups:"),
        st.Page("views/review.py", title="Quarterly review", icon=":material/event_repeat:"),
    ],
}
st.navigation(pages).run()
