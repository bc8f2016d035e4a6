"""Chart and figure specs (Vega-Lite dicts, Plotly figures, image grids); nothing here draws on a page."""
