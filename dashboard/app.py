"""The key-account dashboard: `streamlit run dashboard/app.py` (or `kam dashboard`)."""

import streamlit as st

st.set_page_config(page_title="Key accounts", page_icon=":material/handshake:", layout="wide")

pages = [
    st.Page("pages/portfolio.py", title="Portfolio", icon=":material/insights:", default=True),
]
st.navigation(pages).run()
