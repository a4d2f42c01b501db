"""Records → what people read: the formula card and stage table (HTML), text and CSV reports, the
whole network as the paper's Figure 3 (SVG, PNG), and the colours and fonts they share.
Reads arch/'s records; never imports models/, inspect/, demo/, experiments/, web/ or tools/.
"""
