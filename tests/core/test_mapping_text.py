from n11_desktop.core.mapping.suggest import fold
from n11_desktop.core.mapping.text import PathMatcher, name_similarity


def test_fold_is_turkish_aware():
    assert fold("İÇ GİYİM") == "ic giyim"
    assert fold("IŞIK") == "isik"  # dotless capital I, not "i̇"
    assert fold("ırmak") == fold("IRMAK") == "irmak"
    assert fold("Ayakkabı & Çanta") == "ayakkabi canta"
    assert fold("Şğüöç ŞĞÜÖÇ") == "sguoc sguoc"
    assert fold("  Soğuk Meze\u00a0") == "soguk meze"
    assert fold("T-Shirt / Polo") == "t shirt polo"
    assert fold(None) == ""


def test_name_similarity_reasons():
    assert name_similarity("Renk", "Renk") == (1.0, "same name")
    score, reason = name_similarity("Lacıvert", "LACİVERT")
    assert score == 1.0 and "folding" in reason
    score, reason = name_similarity("Color", "Renk")
    assert score >= 0.9 and "synonym" in reason
    assert name_similarity("Beden", "Garanti Süresi")[0] < 0.5


def test_path_matcher_prefers_the_right_audience():
    leaves = [(1, "Kadın Sneaker", "Ayakkabı & Çanta > Kadın Ayakkabı > Kadın Sneaker"),
              (2, "Erkek Sneaker", "Ayakkabı & Çanta > Erkek Ayakkabı > Erkek Sneaker"),
              (3, "Kadın Bot", "Ayakkabı & Çanta > Kadın Ayakkabı > Kadın Bot")]
    ranked = PathMatcher(leaves).rank("Ayakkabı > Kadın > Sneaker")
    assert [r[0] for r in ranked[:2]] == [1, 2]
    assert ranked[0][3] > 0.9 > ranked[1][3]
    assert "sneaker" in ranked[0][4]
