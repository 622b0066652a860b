"""Strategy views of a venture: insights and competitors entered once, shown in SWOT (with TOWS), Porter's five forces,
the value chain and the risk register, each with Plotly figures and history."""
