"""AppTest runs of the exploration pages and the checkpoints page, on the shipped pretrained models."""


import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ganlab.persist.checkpoint_dir import CheckpointDir
from tests.conftest import REPO


@pytest.fixture(autouse=True)
def fresh_session():
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@pytest.fixture
def clean_user_dir():
    user = CheckpointDir().user
    before = set(user.glob("*.pt")) if user.exists() else set()
    yield
    for p in set(user.glob("*.pt")) - before if user.exists() else ():
        p.unlink()


def page(path: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    return at.switch_page(path).run()


def images(at) -> list[bytes]:
    return [img.proto.imgs[0].url for img in at.get("image")]


def test_latent_page_opens_on_a_pretrained_model_and_sliders_move_the_image():
    at = page("pages/latent.py")
    assert not at.exception, at.exception
    assert at.selectbox(key="source_latent").value == "mnist-dcgan"
    before = images(at)
    at.slider(key="latent_s0").set_value(2.5).run()
    after = images(at)
    assert not at.exception and before != after
    at.radio(key="latent_axis").set_value("latent dimensions").run()
    at.slider(key="latent_s1").set_value(-2.0).run()
    assert not at.exception
    at.number_input(key="latent_a").set_value(1234).run()
    assert not at.exception and images(at) != after


def test_latent_page_on_a_2d_model_draws_the_path():
    at = page("pages/latent.py")
    at.selectbox(key="source_latent").select("ring8-mlp").run()
    assert not at.exception
    assert any(el.proto.spec and "G(z(t))" in el.proto.spec for el in at.get("plotly_chart"))


def test_class_page_draws_the_chosen_class():
    at = page("pages/classes.py")
    assert not at.exception and at.selectbox(key="source_classes").value == "mnist-cdcgan"
    first = images(at)
    at.segmented_control(key="classes_class").set_value(7).run()
    assert not at.exception and images(at)[0] != first[0]
    assert images(at)[1] == first[1]  # the classes x styles grid does not depend on the chosen class
    at.slider(key="classes_alpha").set_value(1.0).run()
    assert not at.exception


def test_class_page_explains_unconditional_models():
    at = page("pages/classes.py")
    at.selectbox(key="source_classes").select("mnist-dcgan").run()
    assert any("unconditional" in i.value for i in at.info)
    next(b for b in at.button if b.label.startswith("Load the pretrained conditional")).click().run()
    assert at.selectbox(key="source_classes").value == "mnist-cdcgan"


def test_checkpoints_page_rejects_a_bad_upload(clean_user_dir):
    at = page("pages/checkpoints.py")
    assert not at.exception
    names = at.selectbox(key="checkpoints_chosen").options
    assert {"mnist-cdcgan", "mnist-dcgan", "ring8-mlp", "grid25-mlp"} <= set(names)
    # AppTest cannot drive st.file_uploader, so the page's upload path is exercised through the same
    # CheckpointDir.upload call it makes; the browser test uploads a real file.
    from ganlab.persist.checkpoint import CheckpointError
    with pytest.raises(CheckpointError, match="not a ganlab checkpoint"):
        CheckpointDir().upload("junk.pt", b"\x80\x04junk")
    assert "user/junk" not in [e.name for e in CheckpointDir().entries()]


def test_resume_a_checkpoint_into_the_train_page(clean_user_dir):
    at = page("pages/checkpoints.py")
    at.selectbox(key="checkpoints_chosen").select("ring8-mlp").run()
    next(b for b in at.button if b.label == "Resume training from it").click().run()
    assert not at.exception
    steps = [m.value for m in at.metric if m.label == "Step"]
    assert steps and int(steps[0].replace(",", "")) > 0
