"""Vietnamese text helpers."""

from desk.text import clean, fold


def test_fold_removes_diacritics_and_d():
    assert fold("  Nguyễn   Văn Đức ") == "nguyen van duc"
    assert fold("Nguyê\u0303n") == "nguyen"  # NFD input


def test_clean_single_and_multiline():
    assert clean(" Bản  sao\tCCCD\x00 ") == "Bản sao CCCD"
    assert clean("Bản sao CCCD\r\n\r\n  Giấy  khai sinh \n") == "Bản sao CCCD Giấy khai sinh"
    assert clean("Bản sao CCCD\r\n\r\n  Giấy  khai sinh \n", multiline=True) == "Bản sao CCCD\nGiấy khai sinh"
    assert clean(None) == "" and clean("", multiline=True) == ""


def test_is_digits_is_ascii_only():
    from desk.text import is_digits

    assert is_digits("0912") and not is_digits("²") and not is_digits("٣") and not is_digits("") and not is_digits(None)
