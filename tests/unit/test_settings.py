from __future__ import annotations

from lsp_server.settings import Settings, camel, parse_settings, setting_fields


def test_defaults_when_nothing_is_sent() -> None:
    parsed = parse_settings(None)
    assert parsed.settings == Settings()
    assert parsed.problems == ()


def test_nested_and_dotted_forms_agree() -> None:
    nested = parse_settings(
        {"wattcode": {"model": {"path": "/m.gguf"}, "completion": {"maxTokens": 20}}}
    )
    dotted = parse_settings({"wattcode.model.path": "/m.gguf", "completion.maxTokens": 20})
    assert nested.settings == dotted.settings
    assert nested.settings.model.path == "/m.gguf"
    assert nested.settings.completion.max_tokens == 20


def test_each_bad_value_keeps_its_default_and_says_why() -> None:
    parsed = parse_settings(
        {
            "wattcode": {
                "completion": {"maxTokens": 0, "enabled": "yes"},
                "context": {"maxPromptTokens": 512, "suffixShare": "half"},
                "log": {"level": "loud"},
            }
        }
    )
    s = parsed.settings
    assert s.completion.max_tokens == 64 and s.completion.enabled is True
    assert s.context.max_prompt_tokens == 512  # the good value in the same group applies
    assert s.context.suffix_share == 0.25
    assert s.log.level == "info"
    assert len(parsed.problems) == 4
    assert any("maxTokens must be between 1 and 512" in p for p in parsed.problems)
    assert any("enabled must be true or false" in p for p in parsed.problems)
    assert any("'error', 'warning', 'info', 'debug'" in p for p in parsed.problems)


def test_booleans_are_not_numbers() -> None:
    parsed = parse_settings({"completion": {"maxTokens": True}})
    assert parsed.settings.completion.max_tokens == 64
    assert parsed.problems


def test_null_resets_optional_values_only() -> None:
    parsed = parse_settings({"model": {"path": None, "contextLength": None}})
    assert parsed.settings.model.path is None
    assert parsed.settings.model.context_length == 4096
    assert len(parsed.problems) == 1


def test_integers_are_accepted_for_floats() -> None:
    assert parse_settings({"context": {"suffixShare": 0}}).settings.context.suffix_share == 0.0


def test_unknown_keys_are_listed_not_fatal() -> None:
    parsed = parse_settings({"wattcode": {"future": {"thing": 1}, "model": {"path": "/x"}}})
    assert parsed.unknown == ("wattcode.future.thing",)
    assert parsed.settings.model.path == "/x"


def test_names_round_trip() -> None:
    assert camel("max_prompt_tokens") == "maxPromptTokens"
    keys = [key for key, *_ in setting_fields()]
    assert "context.maxPromptTokens" in keys and "completion.enabled" in keys
