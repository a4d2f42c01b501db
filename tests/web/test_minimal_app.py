"""The minimal Gradio app the browser benchmark measures the page against: through
gradio_client, its /predict answers with the page's own top-5 and four pictures."""

from __future__ import annotations

import pytest
from PIL import Image

from explorer.tools.bench_browser import MINIMAL, OFFLINE
from explorer.tools.launch import launched


def test_the_minimal_app_answers_predict_as_the_page_does():
    from gradio_client import Client, handle_file

    from explorer.web import tab_predict
    from explorer.web.files import examples
    from explorer.web.shared import engine

    image = examples()[0]
    with launched(command=MINIMAL, env=OFFLINE) as server:
        client = Client(server.url, verbose=False)
        label, *pictures = client.predict(handle_file(image), api_name="/predict")
    model = engine().default_predict_model()  # what the Predict tab opens on, here
    page = tab_predict.predict({"path": image}, model)[0]  # the page's own handler
    top5 = {c["label"]: c["confidence"] for c in label["confidences"]}
    assert top5 == pytest.approx(page, abs=1e-4)
    assert label["label"] == max(page, key=page.get)
    assert len(pictures) == 4
    for path in pictures:
        with Image.open(path) as picture:
            assert min(picture.size) > 0
