import random
from decimal import Decimal

from bson import Decimal128

from cutover.store.legacy import decimal128_to_decimal


def test_fast_decimal128_decoding_matches_bson_exactly():
    rng = random.Random(5)
    values = [
        "0",
        "-0",
        "0.00000001",
        "-123.45",
        "1E+10",
        "99999999999999999999.99999999",
        "NaN",
        "Infinity",
        "-Infinity",
        "1E-6176",
        "9.999999999999999999999999999999999E+6144",
    ]
    values += [
        f"{rng.choice('-+')}{rng.randrange(10 ** rng.randint(1, 34))}E{rng.randint(-40, 40)}" for _ in range(5000)
    ]
    for text in values:
        encoded = Decimal128(text)
        expected, got = encoded.to_decimal(), decimal128_to_decimal(encoded)
        assert str(got) == str(expected), text
        assert isinstance(got, Decimal)
