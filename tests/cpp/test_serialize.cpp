// fl::save / fl::load (safetensors): round trips of every dtype, 0-d, empty and view tensors, metadata, the exact
// byte layout of the reference writer, atomic replacement on failure, and one error per malformed-file class.
#include <mlx/primitives.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "fl/serialize.h"
#include "test_util.h"

namespace fl::test {
namespace {

namespace fs = std::filesystem;
namespace mx = mlx::core;

class Serialize : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fl_serialize_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  fs::path dir_;
};

std::string read_all(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
void write_all(const std::string& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

/// A safetensors file from a header text and data bytes; `len` overrides the header length field.
std::string st_file(const std::string& header, const std::string& data = "", std::optional<uint64_t> len = {}) {
  uint64_t n = len.value_or(header.size());
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

void expect_same(const Tensor& got, const Tensor& want) {
  EXPECT_EQ(got.dtype(), want.dtype());
  EXPECT_EQ(got.sizes(), want.sizes());
  EXPECT_EQ(got.tolist<double>(), want.tolist<double>());
}

const Dtype kAllDtypes[] = {kBool, kUInt8, kInt8, kInt16, kInt32, kInt64, kFloat16, kBFloat16, kFloat32, kFloat64};

/// A 2x3 tensor of d with values exact in every dtype: 0..5 shifted to negatives where signed, halves for floats.
Tensor sample(Dtype d) {
  if (d == kBool) return tensor({1, 0, 0, 1, 1, 0}).reshape({2, 3}).to(kBool);
  Tensor x = arange(6, kFloat64).reshape({2, 3});
  if (is_floating_point(d))
    x = (x - 2) * 0.5;
  else if (is_signed(d))
    x = x - 3;
  return x.to(d);
}

}  // namespace

TEST_F(Serialize, RoundTripsEveryDtype) {
  TensorDict all;
  for (Dtype d : kAllDtypes) all[dtype_name(d)] = sample(d);
  save(path("all.safetensors"), all);
  TensorDict back = load(path("all.safetensors"));
  ASSERT_EQ(back.size(), all.size());
  for (Dtype d : kAllDtypes) {
    SCOPED_TRACE(dtype_name(d));
    expect_same(back.at(dtype_name(d)), all.at(dtype_name(d)));
  }
  EXPECT_EQ(back.at("int8").tolist<double>(), (std::vector<double>{-3, -2, -1, 0, 1, 2}));
  EXPECT_EQ(back.at("bfloat16").tolist<double>(), (std::vector<double>{-1, -0.5, 0, 0.5, 1, 1.5}));
  EXPECT_EQ(back.at("bool").tolist<double>(), (std::vector<double>{1, 0, 0, 1, 1, 0}));
  // In memory too, and the loaded tensors are independent leaves.
  TensorDict mem = load_bytes(save_bytes(all)).tensors;
  for (Dtype d : kAllDtypes) expect_same(mem.at(dtype_name(d)), all.at(dtype_name(d)));
  EXPECT_FALSE(mem.at("float32").requires_grad());
}

TEST_F(Serialize, KeepsSpecialFloatBitPatterns) {
  double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  for (Dtype d : {kFloat16, kBFloat16, kFloat32, kFloat64}) {
    Tensor x = tensor({inf, -inf, nan, -0.0, 1e-300}).to(d);
    Tensor y = load_bytes(save_bytes({{"x", x}})).tensors.at("x");
    auto v = y.tolist<double>(), w = x.tolist<double>();
    EXPECT_EQ(v[0], inf);
    EXPECT_EQ(v[1], -inf);
    EXPECT_TRUE(std::isnan(v[2]));
    EXPECT_TRUE(std::signbit(v[3]));
    EXPECT_EQ(v[4], w[4]);  // 1e-300 underflows to 0 below float64, and stays whatever it was
  }
}

TEST_F(Serialize, ZeroDimAndEmptyTensors) {
  TensorDict t{{"scalar", scalar_tensor(2.5, TensorOptions().dtype(kFloat64))},
               {"empty", zeros({0}, kInt32)},
               {"empty3", zeros({2, 0, 3}, kFloat16)},
               {"ok", ones({2})}};
  save(path("e.safetensors"), t);
  TensorDict back = load(path("e.safetensors"));
  EXPECT_EQ(back.at("scalar").dim(), 0);
  EXPECT_EQ(back.at("scalar").item<double>(), 2.5);
  expect_same(back.at("empty"), t.at("empty"));
  expect_same(back.at("empty3"), t.at("empty3"));
  expect_same(back.at("ok"), t.at("ok"));
  // Nothing at all is a valid file too.
  EXPECT_TRUE(load_bytes(save_bytes({})).tensors.empty());
}

TEST_F(Serialize, ViewsAreSavedByValue) {
  Tensor base = arange(24, kFloat32).reshape({2, 3, 4}).clone();
  TensorDict views{{"transposed", base.transpose(0, 2)},
                   {"strided", base.slice(2, 1, std::nullopt, 2)},
                   {"selected", base.select(1, 2)},
                   {"expanded", base.select(2, 0).unsqueeze(0).expand({3, 2, 3})},
                   {"diagonal", base.diagonal(0, 1, 2)}};
  std::string bytes = save_bytes(views);
  TensorDict back = load_bytes(bytes).tensors;
  for (const auto& [name, v] : views) {
    SCOPED_TRACE(name);
    expect_same(back.at(name), v.contiguous());
    EXPECT_FALSE(back.at(name).is_view());
  }
  EXPECT_EQ(back.at("strided").tolist<double>(), (std::vector<double>{1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23}));
  // Each view occupies exactly its own elements (an expanded view is written out in full, no base storage).
  int64_t elements = 24 + 12 + 8 + 18 + 6;
  EXPECT_EQ(bytes.size() - 8 - (static_cast<uint8_t>(bytes[0]) | static_cast<uint8_t>(bytes[1]) << 8),
            static_cast<size_t>(elements * 4));
}

TEST_F(Serialize, MetadataAndSingleTensor) {
  save(path("m.safetensors"), {{"w", ones({2, 2})}}, {{"format", "pt"}, {"note", "é \"quoted\"\n"}});
  Checkpoint c = load_with_metadata(path("m.safetensors"));
  EXPECT_EQ(c.metadata, (Metadata{{"format", "pt"}, {"note", "é \"quoted\"\n"}}));
  expect_same(c.tensors.at("w"), ones({2, 2}));

  save(path("one.safetensors"), tensor({1, 2, 3}));
  expect_same(load_tensor(path("one.safetensors")), tensor({1, 2, 3}));
  EXPECT_EQ(load(path("one.safetensors")).count("tensor"), 1u);
  save(path("two.safetensors"), {{"a", ones({1})}, {"b", ones({1})}});
  expect_error_containing<Error>([&] { load_tensor(path("two.safetensors")); }, "holds 2 tensors, not one");
}

TEST_F(Serialize, LayoutMatchesTheReferenceWriter) {
  // The reference writer (safetensors 0.8's serialize) puts larger dtypes first, then names in order; offsets run
  // back to back; the header is compact JSON padded with spaces to a multiple of 8 bytes.
  TensorDict t{{"a", tensor({1.0f, 2.0f, 3.0f})},
               {"b", tensor({int64_t{7}, int64_t{8}})},
               {"c", tensor({true, false, true})},
               {"d", tensor({4.0f})}};
  std::string expected_header =
      R"({"__metadata__":{"k":"v"},"b":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},)"
      R"("a":{"dtype":"F32","shape":[3],"data_offsets":[16,28]},"d":{"dtype":"F32","shape":[1],"data_offsets":[28,32]},)"
      R"("c":{"dtype":"BOOL","shape":[3],"data_offsets":[32,35]}})";
  expected_header.append((8 - expected_header.size() % 8) % 8, ' ');
  std::string bytes = save_bytes(t, {{"k", "v"}});
  EXPECT_EQ(bytes.substr(0, 8 + expected_header.size()), st_file(expected_header));
  std::string data = bytes.substr(8 + expected_header.size());
  ASSERT_EQ(data.size(), 35u);
  int64_t b0;
  float a2;
  std::memcpy(&b0, data.data(), 8);
  std::memcpy(&a2, data.data() + 16 + 8, 4);
  EXPECT_EQ(b0, 7);
  EXPECT_EQ(a2, 3.0f);
  EXPECT_EQ(data.substr(32), std::string("\x01\x00\x01", 3));
}

TEST_F(Serialize, SaveReplacesAndRejectsReservedNames) {
  save(path("x.safetensors"), {{"a", ones({3})}});
  save(path("x.safetensors"), {{"b", zeros({2})}});
  TensorDict back = load(path("x.safetensors"));
  EXPECT_EQ(back.count("a"), 0u);
  expect_same(back.at("b"), zeros({2}));
  EXPECT_EQ(files(), std::vector<std::string>{"x.safetensors"});
  expect_error_containing<ValueError>([&] { save(path("y.safetensors"), {{"__metadata__", ones({1})}}); }, "reserved");
  expect_error_containing<ValueError>([&] { save(path("y.safetensors"), {{"a", Tensor()}}); }, "undefined");
  expect_error_containing<ValueError>([&] { save_bytes({{std::string("\xff\xfe"), ones({1})}}); }, "UTF-8");
  EXPECT_EQ(files(), std::vector<std::string>{"x.safetensors"});
}

namespace {
/// An MLX primitive whose evaluation fails: a tensor that cannot be materialised while it is being saved.
class FailingEval : public mx::UnaryPrimitive {
 public:
  explicit FailingEval(mx::Stream s) : UnaryPrimitive(s) {}
  void eval_cpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("simulated evaluation failure");
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("simulated evaluation failure");
  }
  const char* name() const override { return "FailingEval"; }
};
}  // namespace

TEST_F(Serialize, FailureMidwayLeavesThePreviousFile) {
  save(path("ckpt.safetensors"), {{"old", tensor({1.0, 2.0})}});
  std::string before = read_all(path("ckpt.safetensors"));
  mx::array failing(mx::Shape{4}, mx::float32, std::make_shared<FailingEval>(mx::default_stream(mx::Device::cpu)),
                    {mx::array(1.0f)});
  // float64 "good" is laid out (and written) before the float32 tensor whose evaluation fails.
  TensorDict t{{"good", arange(1000, kFloat64)}, {"bad", Tensor::from_mlx(failing)}};
  EXPECT_EQ(error_of([&] { save(path("ckpt.safetensors"), t); }), "simulated evaluation failure");
  EXPECT_EQ(read_all(path("ckpt.safetensors")), before);
  EXPECT_EQ(files(), std::vector<std::string>{"ckpt.safetensors"});  // the temp file is gone
  expect_same(load(path("ckpt.safetensors")).at("old"), tensor({1.0, 2.0}));
}

TEST_F(Serialize, FailureToRenameRemovesTheTempFile) {
  // Written in full, then the rename over a (non-empty) directory fails.
  fs::create_directory(path("target"));
  write_all(path("target/keep"), "x");
  expect_error_containing<Error>(
      [&] {
        save(path("target"), {{"a", ones({4})}});
      },
      "could not replace '" + path("target") + "'");
  EXPECT_EQ(files(), std::vector<std::string>{"target"});
  EXPECT_EQ(read_all(path("target/keep")), "x");
  expect_error_containing<Error>(
      [&] {
        save(path("missing/x.safetensors"), {{"a", ones({1})}});
      },
      "Parent directory " + path("missing") + " does not exist.");
  expect_error_containing<Error>([&] { save("", {{"a", ones({1})}}); }, "empty path");
}

TEST_F(Serialize, LoadErrorsForMissingOrUnreadableFiles) {
  expect_error_containing<Error>([&] { load(path("nope.safetensors")); }, "No such file or directory");
  expect_error_containing<Error>([&] { load(dir_.string()); }, "not a regular file");
}

TEST_F(Serialize, NamesInUtf8) {
  std::string name = "w\xc3\xa9ight \xe2\x82\xac \xf0\x9f\x98\x80";  // 2-, 3- and 4-byte sequences
  expect_same(load_bytes(save_bytes({{name, ones({1})}})).tensors.at(name), ones({1}));
}

TEST_F(Serialize, BoolBytesAreNormalised) {
  std::string f = st_file(R"({"b":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}})", std::string("\x02\x00\xff", 3));
  Tensor b = load_bytes(f).tensors.at("b");
  EXPECT_EQ(b.tolist<double>(), (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(b.sum().item<int64_t>(), 2);
}

TEST_F(Serialize, ReadsHeaderPaddingAndUnknownFields) {
  std::string f =
      st_file(R"({"x":{"dtype":"I16","shape":[2],"data_offsets":[0,4],"extra":[1]},"__metadata__":null}   )",
              std::string("\x01\x00\xff\xff", 4));
  Checkpoint c = load_bytes(f);
  EXPECT_EQ(c.tensors.at("x").tolist<double>(), (std::vector<double>{1, -1}));
  EXPECT_TRUE(c.metadata.empty());
}

TEST_F(Serialize, MalformedFilesRaiseClearErrors) {
  const std::string ok = R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  const std::string data8(8, '\0');
  auto entry = [](const std::string& fields) { return R"({"x":{)" + fields + "}}"; };
  std::string ones65 = "[1";
  for (int i = 1; i < 65; ++i) ones65 += ",1";
  ones65 += "]";
  struct Case {
    std::string what, bytes, message;
  };
  std::vector<Case> cases = {
      {"empty file", "", "the file has 0 bytes, fewer than the 8-byte header length"},
      {"short file", std::string("\x05\x00\x00", 3), "the file has 3 bytes"},
      {"header longer than file", st_file(ok, data8).substr(0, 30), "exceeds the 22 bytes that follow it"},
      {"absurd header length", st_file(ok, data8, uint64_t{1} << 62), "exceeds the limit of 100000000 bytes"},
      {"truncated data", st_file(ok, data8.substr(0, 5)), "past the end of the 5-byte data section"},
      {"invalid JSON", st_file(R"({"x": )"), "the header is not valid JSON"},
      {"invalid UTF-8", st_file("{\"\xff\":1}"), "the header is not valid JSON (it is not valid UTF-8)"},
      {"invalid UTF-8 name", st_file("{\"\xff\xfft\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}"),
       "not valid UTF-8"},
      {"overlong UTF-8", st_file("{\"\xc0\xaf\":1}"), "not valid UTF-8"},
      {"surrogate UTF-8", st_file("{\"\xed\xa0\x80\":1}"), "not valid UTF-8"},
      {"cut UTF-8", st_file("{\"\xe2\x82\":1}"), "not valid UTF-8"},
      {"NUL padding", st_file(ok + std::string(2, '\0'), data8), "the header is not valid JSON"},
      {"NUL inside", st_file(std::string("{\"x\0\":1}", 8)), "the header is not valid JSON"},
      {"array header", st_file("[1, 2]"), "the header is not a JSON object"},
      {"string header", st_file("\"x\""), "the header is not a JSON object"},
      {"entry not object", st_file(R"({"x":[1]})"), "the entry of tensor 'x' is not a JSON object"},
      {"missing dtype", st_file(entry(R"("shape":[2],"data_offsets":[0,8])"), data8), "tensor 'x' has no \"dtype\""},
      {"missing shape", st_file(entry(R"("dtype":"F32","data_offsets":[0,8])"), data8), "has no \"shape\""},
      {"missing offsets", st_file(entry(R"("dtype":"F32","shape":[2])"), data8), "has no \"data_offsets\""},
      {"dtype not string", st_file(entry(R"("dtype":7,"shape":[2],"data_offsets":[0,8])"), data8),
       "the dtype of tensor 'x' is not a string"},
      {"unknown dtype", st_file(entry(R"("dtype":"C64","shape":[1],"data_offsets":[0,8])"), data8),
       "unsupported dtype 'C64' (supported: BOOL, U8, I8, I16, F16, BF16, I32, F32, F64, I64)"},
      {"shape not array", st_file(entry(R"("dtype":"F32","shape":2,"data_offsets":[0,8])"), data8),
       "the shape of tensor 'x' is not an array"},
      {"negative dim", st_file(entry(R"("dtype":"F32","shape":[-2],"data_offsets":[0,8])"), data8),
       "dimension 0 of tensor 'x' is negative (-2)"},
      {"float dim", st_file(entry(R"("dtype":"F32","shape":[2.0],"data_offsets":[0,8])"), data8),
       "dimension 0 of tensor 'x' is not an integer"},
      {"huge dim", st_file(entry(R"("dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8])"), data8),
       "dimension 0 of tensor 'x' is not an integer"},
      {"dim past int32", st_file(entry(R"("dtype":"U8","shape":[4294967296,0],"data_offsets":[0,0])")),
       "dimension 0 of tensor 'x' is too large (4294967296)"},
      {"too many dims", st_file(entry(R"("dtype":"U8","shape":)" + ones65 + R"(,"data_offsets":[0,1])"), "\x01"),
       "tensor 'x' has 65 dimensions (at most 64 are supported)"},
      {"overflowing shape",
       st_file(entry(R"("dtype":"F64","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8])"), data8),
       "(more bytes than fit in 64 bits) but data_offsets [0, 8] span 8 bytes"},
      {"lying shape", st_file(entry(R"("dtype":"F64","shape":[1073741824],"data_offsets":[0,8])"), data8),
       "has shape [1073741824] of dtype F64 (8589934592 bytes) but data_offsets [0, 8] span 8 bytes"},
      {"shape/size mismatch", st_file(entry(R"("dtype":"F32","shape":[3],"data_offsets":[0,8])"), data8),
       "has shape [3] of dtype F32 (12 bytes) but data_offsets [0, 8] span 8 bytes"},
      {"offsets not pair", st_file(entry(R"("dtype":"F32","shape":[2],"data_offsets":[0,4,8])"), data8),
       "the data_offsets of tensor 'x' are not a [begin, end] pair"},
      {"offsets not array", st_file(entry(R"("dtype":"F32","shape":[2],"data_offsets":"0-8")"), data8),
       "are not a [begin, end] pair"},
      {"negative offset", st_file(entry(R"("dtype":"F32","shape":[2],"data_offsets":[-8,0])"), data8),
       "the begin offset of tensor 'x' is negative (-8)"},
      {"begin after end", st_file(entry(R"("dtype":"F32","shape":[0],"data_offsets":[8,0])"), data8),
       "data_offsets [8, 0] with begin > end"},
      {"offsets out of range", st_file(entry(R"("dtype":"F32","shape":[2],"data_offsets":[8,16])"), data8),
       "data_offsets [8, 16] past the end of the 8-byte data section"},
      {"overlap",
       st_file(
           R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
           data8),
       "the data of tensors 'a' and 'b' overlap"},
      {"gap",
       st_file(
           R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[2],"data_offsets":[6,8]}})",
           data8),
       "bytes [4, 6) of the data section belong to no tensor"},
      {"trailing bytes", st_file(ok, data8 + "junk"), "bytes [8, 12) of the data section belong to no tensor"},
      {"duplicate name",
       st_file(
           R"({"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"x":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
           "ab"),
       "the header names 'x' twice"},
      {"metadata not object", st_file(R"({"__metadata__":[1]})"), "__metadata__ is not a JSON object"},
      {"metadata value not string", st_file(R"({"__metadata__":{"k":1}})"),
       "__metadata__ value of 'k' is not a string"},
      {"deep nesting", st_file(std::string(100000, '[') + std::string(100000, ']')),
       "the header nests deeper than any safetensors header"},
      {"binary in JSON error", st_file("{}\xd3\x9c \x01\xff"), "the header is not valid JSON"},
      {"binary name", st_file("{\"a\\u0000\\n\xc3\xa9\":1}"), "tensor 'a\\x00\\x0a\xc3\xa9' is not a JSON object"},
      {"long name", st_file("{\"" + std::string(200, 'n') + "\":1}"),
       "the entry of tensor '" + std::string(64, 'n') + "...' is not a JSON object"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    std::string msg = error_of([&] { load_bytes(c.bytes, "mem.st"); });
    EXPECT_EQ(msg.rfind("invalid safetensors file 'mem.st': ", 0), 0u) << msg;
    expect_error_containing<Error>([&] { load_bytes(c.bytes, "mem.st"); }, c.message);
    EXPECT_EQ(msg.find('\n'), std::string::npos);
    // The same error from a file on disk, naming it.
    write_all(path("bad.safetensors"), c.bytes);
    expect_error_containing<Error>([&] { load(path("bad.safetensors")); },
                                   "invalid safetensors file '" + path("bad.safetensors") + "': ");
  }
}

}  // namespace fl::test
