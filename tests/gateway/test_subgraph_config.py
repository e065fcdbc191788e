"""Reading ``subgraphs.toml``: what a good file gives, and the message each kind of mistake gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.subgraph_config import (
    DEFAULT_POLL_INTERVAL_S,
    SubgraphConfigError,
    SubgraphEntry,
    SubgraphsConfig,
    load_subgraph_config,
    parse_subgraph_config,
)

REPO = Path(__file__).resolve().parents[2]


def parse(text: str) -> SubgraphsConfig:
    return parse_subgraph_config(text, base=Path("/etc/minyi"), source="subgraphs.toml")


def test_subgraphs_by_url_and_by_sdl_file_in_file_order() -> None:
    config = parse_subgraph_config(
        """
poll_interval_s = 2.5
[subgraphs.mailbox]
url = "http://mailbox.internal/graphql"
[subgraphs.hotline]
url = "http://127.0.0.1:4001/graphql"
sdl = "schema/hotline.graphql"
""",
        base=Path("/etc/minyi"),
    )
    assert config.poll_interval_s == 2.5
    assert config.subgraphs == (
        SubgraphEntry("mailbox", "http://mailbox.internal/graphql"),
        SubgraphEntry("hotline", "http://127.0.0.1:4001/graphql", Path("/etc/minyi/schema/hotline.graphql")),
    )
    assert config.entry("hotline") is config.subgraphs[1] and config.entry("fax") is None


def test_the_poll_interval_defaults_to_ten_seconds() -> None:
    config = parse('[subgraphs.a]\nurl = "http://a/graphql"\n')
    assert config.poll_interval_s == DEFAULT_POLL_INTERVAL_S == 10.0


def test_sdl_paths_are_taken_from_the_config_files_folder(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    path = tmp_path / "conf" / "subgraphs.toml"
    path.write_text('[subgraphs.a]\nurl = "http://a/graphql"\nsdl = "a.graphql"\n', encoding="utf-8")
    assert load_subgraph_config(path).subgraphs[0].sdl_path == tmp_path / "conf" / "a.graphql"


def test_the_checked_in_config_names_the_five_systems_and_appeals_with_their_golden_sdls() -> None:
    config = load_subgraph_config(REPO / "subgraphs.toml")
    assert [(e.name, e.url) for e in config.subgraphs] == [
        ("hotline", "http://127.0.0.1:4001/graphql"),
        ("petition", "http://127.0.0.1:4002/graphql"),
        ("board", "http://127.0.0.1:4003/graphql"),
        ("grid", "http://127.0.0.1:4004/graphql"),
        ("appeals", "http://127.0.0.1:4005/graphql"),
        ("suggestion", "http://127.0.0.1:4006/graphql"),
    ]
    for entry in config.subgraphs:
        assert entry.sdl_path == REPO / "schema" / "subgraphs" / f"{entry.name}.graphql"
        assert entry.sdl_path.is_file()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[subgraphs.a\nurl = 1", "subgraphs.toml is not valid TOML"),
        ("poll_interval_s = 5\n", "subgraphs.toml names no subgraphs: add [subgraphs.NAME] tables"),
        ("subgraphs = 3\n", "names no subgraphs"),
        ('supergraph = "x"\n[subgraphs.a]\nurl = "http://a/graphql"\n', "unknown top-level key supergraph"),
        ('poll_interval_s = 0\n[subgraphs.a]\nurl = "http://a/graphql"\n', "poll_interval_s must be a positive"),
        ('poll_interval_s = "5s"\n[subgraphs.a]\nurl = "http://a/graphql"\n', "poll_interval_s must be a positive"),
        ("[subgraphs.a]\nsdl = 'a.graphql'\n", "[subgraphs.a]: url must be an http(s) URL, not None"),
        ("[subgraphs.a]\nurl = 'ftp://a'\n", "[subgraphs.a]: url must be an http(s) URL, not 'ftp://a'"),
        ("[subgraphs.a]\nurl = 'http://a'\nsdl = 3\n", "[subgraphs.a]: sdl must be a file path, not 3"),
        ("[subgraphs.a]\nurl = 'http://a'\nulr = 'x'\n", "[subgraphs.a]: unknown key ulr"),
        ("subgraphs = { a = 'http://a' }\n", "[subgraphs.a] must be a table"),
        ("[subgraphs.'9lives']\nurl = 'http://a'\n", "a subgraph name is letters, digits"),
    ],
)
def test_a_bad_config_is_refused_with_a_message_naming_the_mistake(text: str, message: str) -> None:
    with pytest.raises(SubgraphConfigError) as raised:
        parse(text)
    assert message in str(raised.value)


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SubgraphConfigError, match=r"subgraph config .*absent\.toml does not exist"):
        load_subgraph_config(tmp_path / "absent.toml")
