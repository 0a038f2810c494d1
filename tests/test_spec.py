"""The spec file: what it accepts, and one clear line for everything it refuses."""

from __future__ import annotations

import ast
from fractions import Fraction
from pathlib import Path

import pytest

from stencilgen.build import render_body
from stencilgen.cli import main
from stencilgen.errors import SpecError
from stencilgen.kinds import KINDS, bound_twice, defined_names, get_kind
from stencilgen.kinds import operator as op_kind
from stencilgen.printing import entry_toml
from stencilgen.render import Renderer
from stencilgen.spec import COMMON_KEYS, load_spec, parse_spec


def config(text: str) -> op_kind.OperatorConfig:
    return parse_spec(text, "s.toml").entries[0].config


def test_defaults_and_family_offsets() -> None:
    c = config("[d1]\nderivative = 1\naccuracy = 4\n")
    assert (c.stencil, c.grid, c.boundary, c.at) == (
        "central",
        "uniform",
        "one-sided",
        0,
    )
    assert c.offsets == (-2, -1, 0, 1, 2)
    assert c.accuracy == 4


def test_forward_backward_and_coordinates_offsets() -> None:
    assert config(
        '[a]\nderivative = 1\naccuracy = 2\nstencil = "forward"\n'
    ).offsets == (0, 1, 2)
    assert config(
        '[a]\nderivative = 2\naccuracy = 1\nstencil = "backward"\n'
    ).offsets == (-2, -1, 0)
    # On coordinate grids a second derivative needs derivative + accuracy points.
    assert config(
        '[a]\nderivative = 2\naccuracy = 2\ngrid = "coordinates"\n'
    ).offsets == (-1, 0, 1, 2)


def test_explicit_offsets_take_their_accuracy_and_at_is_exact() -> None:
    c = config(
        '[s]\nderivative = 1\noffsets = [2, -1, 0, 1]\nat = "1/2"\nboundary = "valid"\n'
    )
    assert c.offsets == (-1, 0, 1, 2)
    assert c.at == Fraction(1, 2)
    assert c.accuracy == 4  # decided by the engine, not given
    assert c.stencil == "offsets"


def test_entries_keep_file_order_and_kind() -> None:
    spec = parse_spec(
        "[b]\nderivative = 1\naccuracy = 2\n[a]\nderivative = 2\naccuracy = 2\n"
    )
    assert [(e.name, e.kind) for e in spec.entries] == [
        ("b", "operator"),
        ("a", "operator"),
    ]


def test_entry_toml_round_trips_through_the_parser() -> None:
    text = (
        '[s]\nderivative = 1\noffsets = [-1, 0, 1, 2]\nat = "1/2"\nboundary = "valid"'
    )
    entry = parse_spec(text + "\n").entries[0]
    assert entry.toml == text
    assert (
        entry_toml("x", {"flag": True, "t": {"a": 1}})
        == "[x]\nflag = true\nt = { a = 1 }"
    )


def test_every_key_is_documented() -> None:
    assert set(COMMON_KEYS) == {"kind"}
    assert all(doc and "\n" not in doc for doc in op_kind.KEYS.values())
    assert set(KINDS) >= {"operator", "gradient", "callables"}


BAD = [
    # (spec text, expected message pattern)
    ("[d1]\nderivative = 1\naccuracy = \n", r"s\.toml: invalid TOML: .*line 3"),
    (
        "[d1]\nderivative = 1\nacuracy = 2\n",
        r"s\.toml: entry \[d1\], key 'acuracy': unknown key for kind 'operator'; "
        r"did you mean 'accuracy'\?",
    ),
    (
        "[d1]\nderivative = 1\nxyzzy = 2\n",
        r"key 'xyzzy': unknown key .*; allowed keys: accuracy, at, backend, band, ",
    ),
    (
        '[d1]\nderivative = 1\naccuracy = "2"\n',
        r"entry \[d1\], key 'accuracy': must be a whole number, got a string \('2'\)",
    ),
    (
        "[d1]\nderivative = 1.5\naccuracy = 2\n",
        r"key 'derivative': must be a whole number, got a float",
    ),
    ("[d1]\naccuracy = 2\n", r"entry \[d1\], key 'derivative': missing"),
    ("[d1]\nderivative = 1\n", r"entry \[d1\], key 'accuracy': missing"),
    ("[d1]\nderivative = 0\naccuracy = 2\n", r"key 'derivative': must be at least 1"),
    (
        "[d1]\nderivative = 1\naccuracy = 2\n[d1]\nderivative = 2\naccuracy = 2\n",
        r"s\.toml: line 4: duplicate entry \[d1\]; every entry name must be unique",
    ),
    (
        "[d1]\nderivative = 1\naccuracy = 2\n[D1]\nderivative = 2\naccuracy = 2\n",
        r"entry \[D1\]: duplicate of \[d1\]",
    ),
    (
        "[d1]\nderivative = 1\nderivative = 2\naccuracy = 2\n",
        r"s\.toml: line 3: entry \[d1\], duplicate key; every key of an entry must",
    ),
    (
        '["2nd"]\nderivative = 2\naccuracy = 2\n',
        r"entry \[2nd\]: the name must be a Python identifier",
    ),
    (
        '["d-1"]\nderivative = 1\naccuracy = 2\n',
        r"entry \[d-1\]: the name must be a Python identifier",
    ),
    (
        "[class]\nderivative = 1\naccuracy = 2\n",
        r"entry \[class\]: the name is a Python keyword",
    ),
    (
        "[d1]\nderivative = 1\noffsets = [-1, 0, 1]\naccuracy = 4\n",
        r"key 'accuracy': offsets \[-1, 0, 1\] reach accuracy 2 for derivative 1, "
        r"not 4; add offsets or lower 'accuracy'",
    ),
    (
        "[d1]\nderivative = 1\noffsets = [-2, -1, 0, 1, 2]\naccuracy = 2\n",
        r"reach accuracy 4, not 2; set accuracy = 4",
    ),
    (
        "[d2]\nderivative = 2\noffsets = [0, 1]\n",
        r"key 'offsets': offsets \[0, 1\] reach accuracy 0 for derivative 2",
    ),
    (
        "[d1]\nderivative = 1\naccuracy = 3\n",
        r"key 'accuracy': central stencils have even accuracy only",
    ),
    (
        '[d1]\nderivative = 1\naccuracy = 2\nboundary = "perodic"\n',
        r"key 'boundary': unknown value 'perodic'; use one of \"one-sided\", "
        r"\"periodic\", \"valid\"; did you mean 'periodic'\?",
    ),
    (
        '[d1]\nderivative = 1\naccuracy = 2\ngrid = "nonuniform"\n',
        r"key 'grid': unknown value 'nonuniform'",
    ),
    (
        '[d1]\nderivative = 1\naccuracy = 2\nstencil = "centered"\n',
        r"key 'stencil': unknown value 'centered'.*did you mean 'central'",
    ),
    (
        '[d1]\nkind = "operater"\nderivative = 1\n',
        r"key 'kind': unknown kind 'operater'.*did you mean 'operator'",
    ),
    (
        '[d1]\nderivative = 1\naccuracy = 2\nstencil = "forward"\noffsets = [0, 1]\n',
        r"key 'offsets': give either 'stencil' or 'offsets', not both",
    ),
    (
        '[d1]\nderivative = 1\noffsets = [0, "1/2", 1]\n',
        r"key 'offsets': offsets are grid points, whole numbers",
    ),
    (
        "[d1]\nderivative = 1\noffsets = [0, 1, 1]\n",
        r"key 'offsets': offsets repeat a point",
    ),
    (
        "[d1]\nderivative = 1\noffsets = []\n",
        r"key 'offsets': must be a non-empty list",
    ),
    (
        '[d1]\nderivative = 1\noffsets = [0, 1]\nat = "1/2"\n',
        r"key 'boundary': a staggered stencil \(at != 0\) needs boundary",
    ),
    (
        '[d1]\nderivative = 1\naccuracy = 2\nat = "h"\nboundary = "valid"\n',
        r"key 'at': must be a number, got the expression 'h'",
    ),
    ("derivative = 1\n", r"top-level key 'derivative' must be a table"),
    ("", r"s\.toml: the spec has no entries"),
    (
        "[d1]\nderivative = 1\naccuracy = 16\n",
        r"key 'accuracy': derivative 1 with accuracy 16 needs more than 15 points",
    ),
    ("[_d]\nderivative = 1\naccuracy = 2\n", r"entry \[_d\]: the name may not start"),
    (
        "[math]\nderivative = 1\naccuracy = 2\n",
        r"entry \[math\]: a module or function named 'math' would shadow",
    ),
    ("[np]\nderivative = 1\naccuracy = 2\n", r"entry \[np\]: a module or function"),
    (
        '[d1]\nderivative = 1\noffsets = [0, 1]\nat = "3/2"\nboundary = "valid"\n',
        r"key 'at': 3/2 lies outside the offsets \(0 \.\. 1\): that would extrapolate",
    ),
    # Names the generated module binds itself (each kind's RESERVED).
    (
        '[Weights]\nderivative = 1\naccuracy = 2\ngrid = "coordinates"\n',
        r"s\.toml: entry \[Weights\]: the name would clash with the 'Weights' that "
        r"every 'operator' module defines for itself \(reserved: .*\); rename",
    ),
    (
        "[collections]\nderivative = 1\naccuracy = 2\n",
        r"entry \[collections\]: .*(shadow|clash)",
    ),
    (
        '[ACCURACY]\nkind = "gradient"\n',
        r"entry \[ACCURACY\]: the name would clash with the 'ACCURACY' that every "
        r"'gradient' module",
    ),
    (
        '[GradientWeights]\nkind = "gradient"\n',
        r"entry \[GradientWeights\]: the name would clash",
    ),
]


@pytest.mark.parametrize(("text", "pattern"), BAD)
def test_bad_spec_gives_one_line_naming_file_entry_key(text: str, pattern: str) -> None:
    with pytest.raises(SpecError, match=pattern) as caught:
        parse_spec(text, "s.toml")
    assert "\n" not in str(caught.value)


def test_missing_and_undecodable_files(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"nope\.toml: spec file not found"):
        load_spec(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"[d1]\nderivative = \xff\n")
    with pytest.raises(SpecError, match=r"bad\.toml: the spec is not UTF-8"):
        load_spec(bad)


@pytest.mark.parametrize(
    ("text", "pattern"), [BAD[1], BAD[8], BAD[14], BAD[18], BAD[-4]]
)
def test_cli_exit_2_one_line_nothing_written(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
    pattern: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("stencils.toml").write_text(text)
    assert main(["build"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("stencilgen build: error: stencils.toml: ")
    assert "Traceback" not in err
    assert not Path("generated").exists()


def test_unwritable_output_folder_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("stencils.toml").write_text("[d1]\nderivative = 1\naccuracy = 2\n")
    Path("blocker").write_text("a file, not a folder")
    assert main(["build", "--out", "blocker/generated"]) == 2
    err = capsys.readouterr().err
    assert "cannot create the output folder blocker/generated" in err
    assert err.count("\n") == 1
    assert Path("blocker").read_text() == "a file, not a folder"
    assert "blocker is a file, not a folder" in err


def test_output_folder_that_is_a_file_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("stencils.toml").write_text("[d1]\nderivative = 1\naccuracy = 2\n")
    Path("afile").write_text("mine")
    for extra in ([], ["--check"]):
        assert main(["build", "--out", "afile", *extra]) == 2
        err = capsys.readouterr().err
        assert err == (
            "stencilgen build: error: the output folder afile is a file, not a "
            "folder; give --out the path of a folder (existing or new), or move the "
            "file away\n"
        )
    assert Path("afile").read_text() == "mine"


def test_names_a_kind_does_not_bind_are_free() -> None:
    # callables: the entry name only names the file, so its constants are free.
    spec = parse_spec('[Result]\nkind = "callables"\n\n[OFFSETS]\nkind = "callables"\n')
    assert [e.name for e in spec.entries] == ["Result", "OFFSETS"]
    # A reserved name is fine as a prefix; the derived names are listed.
    parse_spec('[Weights_op]\nderivative = 1\naccuracy = 2\ngrid = "coordinates"\n')
    assert defined_names(op_kind, "d1") == ("d1", "d1_weights", "d1_apply")
    assert defined_names(get_kind("callables"), "c") == ()


def _public_bindings(source: str) -> set[str]:
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return {name for name in names if not name.startswith("_")}


RESERVED_SAMPLES = {
    "operator": [
        "derivative = 1\naccuracy = 2\n",
        'derivative = 1\naccuracy = 2\ngrid = "coordinates"\n',
        'derivative = 1\naccuracy = 2\nboundary = "periodic"\n',
        'derivative = 1\noffsets = [-1, 0, 1, 2]\nat = "1/2"\nboundary = "valid"\n',
    ],
    "gradient": ['kind = "gradient"\n'],
}


@pytest.mark.parametrize(
    ("kind", "body"), [(k, b) for k, bodies in RESERVED_SAMPLES.items() for b in bodies]
)
def test_reserved_lists_every_public_name_a_kind_renders(kind: str, body: str) -> None:
    """Each kind's RESERVED holds every public module-level name it binds itself."""
    entry = parse_spec(f"[probe]\n{body}").entries[0]
    module = get_kind(kind)
    _, source = render_body(entry, Renderer())
    own = _public_bindings(source) - set(defined_names(module, "probe"))
    assert own <= module.RESERVED, f"add {sorted(own - module.RESERVED)} to RESERVED"
    assert bound_twice(source, defined_names(module, "probe")) is None


def test_every_kind_with_entry_names_declares_reserved() -> None:
    for name in KINDS:
        module = get_kind(name)
        if defined_names(module, "x"):
            assert isinstance(getattr(module, "RESERVED", None), frozenset), name
