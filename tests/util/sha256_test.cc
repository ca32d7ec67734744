#include "util/sha256.h"

#include <catch2/catch.hpp>

namespace flyte {
namespace {

TEST_CASE("Sha256Hex matches the FIPS 180-4 test vectors") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("Sha256 of a million 'a's matches the long test vector") {
  Sha256 h;
  std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) h.Update(chunk);
  CHECK(h.FinishHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("Sha256 gives the same digest however the input is split") {
  std::string data;
  for (int i = 0; i < 300; ++i) data += static_cast<char>(i * 7);
  std::string whole = Sha256Hex(data);
  // Splits around the 55/56/64-byte padding boundaries are where bugs hide.
  for (size_t split : {0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 299, 300}) {
    Sha256 h;
    h.Update(std::string_view(data).substr(0, split));
    h.Update(std::string_view(data).substr(split));
    CHECK(h.FinishHex() == whole);
  }
  for (size_t len : {55, 56, 57, 63, 64, 65}) {
    Sha256 bytewise;
    for (size_t i = 0; i < len; ++i) bytewise.Update(std::string_view(data).substr(i, 1));
    CHECK(bytewise.FinishHex() == Sha256Hex(std::string_view(data).substr(0, len)));
  }
}

TEST_CASE("Sha256 Finish returns the raw 32-byte digest") {
  Sha256 h;
  h.Update("abc");
  auto digest = h.Finish();
  CHECK(digest[0] == 0xba);
  CHECK(digest[31] == 0xad);
}

}  // namespace
}  // namespace flyte
