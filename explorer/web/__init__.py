"""The web page: the Gradio app (page.py and one module per tab), what each tab shows (pages.py,
rendered by views, figures, diagram and overlay), the theme and the server with its limits.
The only package that imports gradio; nothing outside it imports it except the entry points
(`python -m explorer serve`, app.py) and the developer tools.
"""
