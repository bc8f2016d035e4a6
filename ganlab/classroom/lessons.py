"""The course as a path of lessons, and the experiments beside it: each a link to a page of the app with its
settings in the query (``/?data=grid25&loss=hinge&autostart=1``, ``/style?crossover=1``), with what to watch
and one question to try, in English and Korean.

The lessons are data (``lessons.toml``), not code: a teacher's own lesson is just another link. This module
reads and checks them, and turns a Train link's query into the run it names (:func:`run_config`), validated
as the sidebar validates a setting, so that a link can choose nothing the sidebar would refuse, and no path.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from ganlab.config import ConfigError, RunConfig, default_config, field_specs
from ganlab.said import said, said_by

LESSONS_FILE = Path(__file__).with_name("lessons.toml")
SECTIONS = ("course", "experiment", "question")
LANGS = ("en", "ko")
NOT_IN_LINKS = ("data_dir", "steps")  # a path, and the budget of a headless run
TRAIN_VIEW = ("layers", "speed", "autostart", "keep_best")  # what a Train link says besides its run


@dataclass(frozen=True)
class Lesson:
    key: str
    section: str
    title: dict[str, str]  # by language
    watch: dict[str, str]
    question: dict[str, str]
    link: str | None = None  # one page with its settings...
    runs: tuple[tuple[dict[str, str], str], ...] = ()  # ...or runs side by side on Compare: (label, Train link)
    steps: int = 3000  # how far the side-by-side runs train
    formula: str = ""
    plot: str = ""  # a figure its card draws ("bce": the cost by parts, with the live run's D(x) and D(G(z)))

    def part(self, part: str, lang: str) -> str:
        texts = getattr(self, part)
        return texts.get(lang) or texts["en"]

    @property
    def page(self) -> str:
        """The page its link opens, by URL path ("" for the Train page, "latent", "compare"...)."""
        return split(self.link)[0] if self.link else "compare"

    @property
    def query(self) -> dict[str, str]:
        return split(self.link)[1] if self.link else {"lesson": self.key}


def split(link: str) -> tuple[str, dict[str, str]]:
    """``/latent?model=x&seed_a=3`` -> ("latent", {"model": "x", "seed_a": "3"})."""
    parts = urlsplit(link)
    return parts.path.strip("/"), dict(parse_qsl(parts.query, keep_blank_values=True))


def load(path: Path = LESSONS_FILE) -> tuple[Lesson, ...]:
    """Read and check the lessons file: every lesson has its texts in every language, a link or runs."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    out, keys = [], set()
    for entry in raw.get("lessons", []):
        key = entry.get("key", "?")
        if key in keys:
            raise ValueError(f"{path.name}: two lessons are called {key}")
        keys.add(key)
        if entry.get("section") not in SECTIONS:
            raise ValueError(f"{path.name}: lesson {key}: section must be one of {', '.join(SECTIONS)}")
        for part in ("title", "watch", "question"):
            if set(entry.get(part, {})) != set(LANGS):
                raise ValueError(f"{path.name}: lesson {key}: {part} needs {', '.join(LANGS)}")
        runs = tuple((dict(r["label"]), r["link"]) for r in entry.get("runs", ()))
        if bool(entry.get("link")) == bool(runs):
            raise ValueError(f"{path.name}: lesson {key}: a link or runs, one of the two")
        out.append(Lesson(key, entry["section"], dict(entry["title"]), dict(entry["watch"]), dict(entry["question"]),
                          entry.get("link"), runs, int(entry.get("steps", 3000)), entry.get("formula", ""),
                          entry.get("plot", "")))
    return tuple(out)


LESSONS = load()
BY_KEY = {lesson.key: lesson for lesson in LESSONS}


def run_config(query: dict[str, str]) -> tuple[RunConfig, list[tuple[str, str, str]]]:
    """The run a Train link's query names (its dataset and model, then each setting under its CLI name), and
    what it could not take: (name, value, why) for each setting refused, which is then left at its default."""
    refused: list[tuple[str, str, str]] = []
    wanted = {k: v for k, v in query.items() if k not in TRAIN_VIEW}
    specs = field_specs()
    for name in [k for k in wanted if k in NOT_IN_LINKS or k not in specs]:
        refused.append((name, wanted.pop(name), said("not a setting a link can choose") if name in NOT_IN_LINKS
                        else said("no such setting")))
    data, model = wanted.pop("data", "ring8"), wanted.pop("model", None)
    try:
        base = default_config(data, **({"model": model} if model else {}))
    except ConfigError as err:
        refused.append(("model" if model else "data", model or data, said_by(err)))
        try:
            base = default_config(data)
        except ConfigError:
            base = default_config("ring8")
    values = {}
    for name, text in wanted.items():
        try:
            value = _typed(specs[name]["type"], text)
            base.with_values(**{name: value})  # alone, as the sidebar checks it
            values[name] = value
        except ConfigError as err:
            refused.append((name, text, said_by(err)))
    try:
        return base.with_values(**values), refused
    except ConfigError as err:  # each alone is fine, together they are not (hinge with label smoothing)
        refused += [(name, str(value), said_by(err)) for name, value in values.items()]
        return base, refused


def _typed(kind: str, text: str):
    try:
        return int(text) if kind == "int" else float(text) if kind == "float" else text
    except ValueError:
        raise ConfigError(said("not a whole number") if kind == "int" else said("not a number")) from None
