"""Framework schema and loaders: validation errors name the file, key path and problem."""
import pandas as pd
import pytest

from holisec.framework import FrameworkError, from_dict, from_imeta, load_framework


def tiny(**over):
    raw = dict(
        id="tiny", name="Tiny",
        groups=[dict(id="idx", name="Index"), dict(id="a", name="A", parent="idx"),
                dict(id="b", name="B", parent="idx", direction=-1)],
        indicators=[
            dict(id="x1", name="X1", parent="a", direction=1, weight=2, tags={"scope": "internal"}),
            dict(id="x2", name="X2", parent="a", direction=-1),
            dict(id="y1", name="Y1", parent="b", direction=-1, goalposts=[0, 100]),
        ],
        elements=[dict(id="e", name="E", role="basis", groups=["a", "b"])],
    )
    raw.update(over)
    return raw


def test_tree_levels_parents_and_weights():
    fw = from_dict(tiny())
    t = fw.tree
    assert t.loc[["x1", "x2", "y1"], "level"].tolist() == [1, 1, 1]
    assert t.loc[["a", "b", "idx"], "level"].tolist() == [2, 2, 3]
    assert fw.root == "idx"
    assert fw.children("a") == ["x1", "x2"]
    assert fw.leaves("idx") == ["x1", "x2", "y1"]
    assert t.at["x1", "weight"] == 2.0


def test_directions_multiply_up_the_tree():
    fw = from_dict(tiny())
    assert fw.effective_direction("x1") == 1
    assert fw.effective_direction("x2") == -1
    # y1 is -1 under group b, which is itself -1: enters the index positively
    assert fw.effective_direction("y1") == 1


@pytest.mark.parametrize(
    "mutate, needle",
    [
        (lambda r: r["indicators"].append(dict(id="x1", name="dup", parent="a")), "duplicate code 'x1'"),
        (lambda r: r["indicators"].append(dict(id="z", name="Z", parent="nope")), "parent 'nope' is not a group"),
        (lambda r: r["groups"].append(dict(id="root2", name="R2")), "exactly one group must have no parent"),
        (lambda r: r["indicators"][0].update(tags={"scope": "sideways"}), "indicators[0].tags"),
        (lambda r: r["indicators"][2].update(goalposts=[5, 1]), "low < high"),
        (lambda r: r["indicators"][1].update(direction=2), "indicators[1].direction"),
        (lambda r: r["elements"][0].update(groups=["a", "zz"]), "unknown groups ['zz']"),
        (lambda r: r["groups"].append(dict(id="c", name="C", parent="idx")), "must document a gap: ['c']"),
    ],
)
def test_invalid_frameworks_are_explained(mutate, needle):
    raw = tiny()
    mutate(raw)
    with pytest.raises(FrameworkError) as err:
        from_dict(raw, "my.yaml")
    assert "my.yaml" in str(err.value)
    assert needle in str(err.value)


def test_documented_gap_is_allowed():
    raw = tiny()
    raw["groups"].append(dict(id="c", name="C", parent="idx", gap="no public data"))
    assert from_dict(raw).group("c").gap == "no public data"


def test_yaml_errors_name_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("id: x\nname: [unclosed\n")
    with pytest.raises(FrameworkError, match=r"bad.yaml: line \d+"):
        load_framework(p)
    with pytest.raises(FrameworkError, match="not a built-in framework"):
        load_framework(tmp_path / "missing.yaml")


def test_imeta_roundtrip_and_duplicate_codes(tmp_path):
    meta = pd.DataFrame(dict(
        iCode=["i1", "i2", "P1", "Index", "GDP"], iName=["I1", "I2", "Pillar", "Index", "GDP"],
        Level=[1, 1, 2, 3, None], Parent=["P1", "P1", "Index", None, None],
        Direction=[1, -1, 1, 1, None], Weight=[1, 3, 1, 1, None],
        Type=["Indicator", "Indicator", "Aggregate", "Aggregate", "Denominator"],
    ))
    fw = from_imeta(meta)
    assert fw.indicator_ids == ["i1", "i2"]
    assert fw.root == "Index"
    assert fw.tree.at["i2", "direction"] == -1 and fw.tree.at["i2", "weight"] == 3
    dup = pd.concat([meta, meta.iloc[[0]]], ignore_index=True)
    path = tmp_path / "iMeta.csv"
    dup.to_csv(path, index=False)
    with pytest.raises(FrameworkError, match=r"duplicate iCode\(s\) \['i1'\] at rows \[2, 7\]"):
        load_framework(path)
