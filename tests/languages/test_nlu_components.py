"""bot/tokenizer.py, bot/nlu_normaliser.py and bot/entity_extractor.py: process() on Rasa
messages, and the recipe accepts them in a pipeline (no model training: kept fast)."""

from __future__ import annotations

import pytest

pytest.importorskip("rasa")

from rasa.engine.recipes.default_recipe import DefaultV1Recipe  # noqa: E402
from rasa.nlu.constants import TOKENS_NAMES  # noqa: E402
from rasa.shared.nlu.constants import TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from bot.entity_extractor import TokenEntityExtractor  # noqa: E402
from bot.nlu_normaliser import TextNormaliser  # noqa: E402
from bot.tokenizer import ScriptTokenizer, segment  # noqa: E402


@pytest.fixture(scope="module")
def tokenizer():
    return ScriptTokenizer(ScriptTokenizer.get_default_config())


def tokens_of(tokenizer, text):
    message = Message.build(text=text)
    tokenizer.process([message])
    tokens = message.get(TOKENS_NAMES[TEXT])
    assert all(text[t.start : t.end] == t.text for t in tokens)  # offsets into the text
    return [t.text for t in tokens]


def test_thai_is_cut_into_words(tokenizer):
    assert tokens_of(tokenizer, "นายจ้างเก็บหนังสือเดินทางของฉันไว้") == [
        "นายจ้าง",
        "เก็บ",
        "หนังสือเดินทาง",
        "ของ",
        "ฉัน",
        "ไว้",
    ]


def test_mixed_scripts_are_cut_run_by_run(tokenizer):
    assert tokens_of(tokenizer, "help ฉันอยากคุยกับเจ้าหน้าที่ please") == [
        "help",
        "ฉัน",
        "อยาก",
        "คุย",
        "กับ",
        "เจ้าหน้าที่",
        "please",
    ]
    assert tokens_of(tokenizer, "okฉัน") == ["ok", "ฉัน"]


def test_burmese_is_cut_into_syllables(tokenizer):
    assert tokens_of(tokenizer, "ကျွန်တော်အကူအညီလိုပါတယ်") == [
        "ကျွန်",
        "တော်",
        "အ",
        "ကူ",
        "အ",
        "ညီ",
        "လို",
        "ပါ",
        "တယ်",
    ]


def test_other_unspaced_scripts_fall_back_to_grapheme_clusters():
    assert segment("我需要帮助") == ["我", "需", "要", "帮", "助"]
    assert segment("ខ្ញុំ")  # Khmer: never one opaque token for a whole sentence


def test_spaced_scripts_are_tokenized_like_the_whitespace_tokenizer(tokenizer):
    assert tokens_of(tokenizer, "My boss keeps my passport!") == [
        "My",
        "boss",
        "keeps",
        "my",
        "passport",
    ]
    assert tokens_of(tokenizer, "مرحبا، أنا بحاجة إلى مساعدة") == [
        "مرحبا",
        "أنا",
        "بحاجة",
        "إلى",
        "مساعدة",
    ]
    assert tokens_of(tokenizer, "नमस्ते मलाई मद्दत चाहियो") == ["नमस्ते", "मलाई", "मद्दत", "चाहियो"]


def test_scripts_are_configuration_not_language_codes():
    assert ScriptTokenizer.not_supported_languages() is None
    latin_only = ScriptTokenizer({**ScriptTokenizer.get_default_config(), "unspaced_scripts": []})
    assert tokens_of(latin_only, "ฉันอยากคุย") == ["ฉันอยากคุย"]


@pytest.fixture(scope="module")
def extractor(tmp_path_factory):
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    data = RasaYAMLReader().reads(
        """
nlu:
  - intent: find_help
    examples: |
      - [embassy](help_category)
      - [สถานทูต](help_category)
  - lookup: help_category
    examples: |
      - embassy
      - job
      - สถานทูต
      - ที่พักพิง
      - သံရုံး
      - सहायता
"""
    )
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    config = {**TokenEntityExtractor.get_default_config(), "use_regexes": False}
    component = TokenEntityExtractor(config, storage, Resource("entities"))
    component.train(data)
    return component


def entities_in(tokenizer, extractor, text):
    message = Message.build(text=text)
    tokenizer.process([message])
    extractor.process([message])
    return [text[e["start"] : e["end"]] for e in message.get("entities", [])]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("ขอเบอร์สถานทูตหน่อยค่ะ", ["สถานทูต"]),  # Thai: no spaces at all
        ("คืนนี้ต้องการที่พักพิง", ["ที่พักพิง"]),  # spans two of the segmenter's words
        ("သံရုံးဖုန်းနံပါတ် ပေးပါ", ["သံရုံး"]),  # Burmese syllables
        ("मलाई सहायता", ["सहायता"]),  # Devanagari word ending in a vowel sign
        ("where is the embassy?", ["embassy"]),
        ("i am jobless", []),  # a word inside a longer word is not it
        ("embassyjob", []),
    ],
)
def test_lookup_words_are_found_on_word_edges_in_every_script(tokenizer, extractor, text, found):
    assert entities_in(tokenizer, extractor, text) == found


def test_the_normaliser_rewrites_training_and_prediction_text():
    normaliser = TextNormaliser()
    example = Message.build(text="أُرِيدُ  مُسَاعَدَة ٣", intent="help")
    normaliser.process_training_data(TrainingData([example]))
    assert example.get(TEXT) == "اريد  مساعده 3"
    message = Message.build(text="ကၽြန္ေတာ္ ＳＯＳ")
    normaliser.process([message])
    assert message.get(TEXT) == "ကျွန်တော် SOS"


def test_the_recipe_accepts_the_components_in_a_pipeline():
    config = {
        "recipe": "default.v1",
        "language": "th",
        "pipeline": [
            {"name": "bot.nlu_normaliser.TextNormaliser"},
            {"name": "bot.tokenizer.ScriptTokenizer"},
            {"name": "CountVectorsFeaturizer"},
            {
                "name": "CountVectorsFeaturizer",
                "analyzer": "char_wb",
                "min_ngram": 1,
                "max_ngram": 4,
            },
            {"name": "DIETClassifier", "epochs": 1},
        ],
        "policies": [],
    }
    graph = DefaultV1Recipe().graph_config_for_recipe(config, {}, training_type=None)
    names = {node.uses.__name__ for node in graph.train_schema.nodes.values()}
    assert {"TextNormaliser", "ScriptTokenizer"} <= names
