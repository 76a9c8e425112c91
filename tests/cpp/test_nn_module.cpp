// fl::nn::Module and the containers: registration order and torch's dotted names, state_dict keys (expected lists
// printed by torch 2.13 for the same structures), load_state_dict errors (torch's exact messages), modes,
// conversion, hooks and printing.
#include <map>

#include "fl/nn/module.h"
#include "fl/nn/modules/activation.h"
#include "fl/nn/modules/container.h"
#include "fl/nn/modules/linear.h"
#include "fl/nn/repr.h"
#include "test_util.h"

namespace fl::test {
namespace {

using namespace fl::nn;
using Keys = std::vector<std::string>;

// Registers what torch's BatchNorm1d(4) registers, in its order.
struct BatchNormLike : Module {
  BatchNormLike() : Module("BatchNorm1d") {
    register_parameter("weight", ones({4}));
    register_parameter("bias", zeros({4}));
    register_buffer("running_mean", zeros({4}));
    register_buffer("running_var", ones({4}));
    register_buffer("num_batches_tracked", tensor(Scalar(int64_t{0})));
  }
  std::string extra_repr() const override {
    return "4, eps=" + py_float(1e-5) + ", momentum=" + py_float(0.1) +
           ", affine=True, bias=True, "
           "track_running_stats=True";
  }
};

// torch:
//   class Net(nn.Module):
//     def __init__(s):
//       s.layers = nn.Sequential(nn.Linear(2,3), nn.Tanh(), nn.Linear(3,4)); s.bn = nn.BatchNorm1d(4)
//       s.heads = nn.ModuleList([nn.Linear(4,1) for _ in range(3)])
//       s.d = nn.ModuleDict({'a': nn.Identity(), 'b': nn.Linear(1,1)})
//       s.register_buffer('buf', torch.zeros(2)); s.register_buffer('np', torch.zeros(2), persistent=False)
//       s.p = nn.Parameter(torch.zeros(1))
struct Net : Module {
  std::shared_ptr<Sequential> layers;
  std::shared_ptr<ModuleList> heads;
  Net() {
    layers = register_module("layers", Sequential(Linear(2, 3), Tanh(), Linear(3, 4)));
    register_module("bn", BatchNormLike());
    heads = register_module("heads", ModuleList(Linear(4, 1), Linear(4, 1), Linear(4, 1)));
    register_module("d", ModuleDict({{"a", std::make_shared<Identity>()}, {"b", std::make_shared<Linear>(1, 1)}}));
    register_buffer("buf", zeros({2}));
    register_buffer("np", zeros({2}), false);
    register_parameter("p", zeros({1}));
  }
};

TEST(NnModule, NamesFollowTorchOrder) {
  auto net = std::make_shared<Net>();
  EXPECT_EQ(
      net->state_dict().keys(),
      (Keys{"p", "buf", "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "bn.weight", "bn.bias",
            "bn.running_mean", "bn.running_var", "bn.num_batches_tracked", "heads.0.weight", "heads.0.bias",
            "heads.1.weight", "heads.1.bias", "heads.2.weight", "heads.2.bias", "d.b.weight", "d.b.bias"}));
  EXPECT_EQ(net->named_parameters().keys(),
            (Keys{"p", "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "bn.weight", "bn.bias",
                  "heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias", "heads.2.weight", "heads.2.bias",
                  "d.b.weight", "d.b.bias"}));
  EXPECT_EQ(net->named_buffers().keys(),
            (Keys{"buf", "np", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"}));
  EXPECT_EQ(net->named_modules().keys(), (Keys{"", "layers", "layers.0", "layers.1", "layers.2", "bn", "heads",
                                               "heads.0", "heads.1", "heads.2", "d", "d.a", "d.b"}));
  EXPECT_EQ(net->named_children().keys(), (Keys{"layers", "bn", "heads", "d"}));
  EXPECT_EQ(net->named_parameters(false).keys(), (Keys{"p"}));
  EXPECT_EQ(net->named_parameters(true, "model").item(1).first, "model.layers.0.weight");
  EXPECT_EQ(net->parameters().size(), 15u);
  EXPECT_EQ(net->modules().front().get(), net.get());
  EXPECT_EQ(net->modules().size(), 13u);
  // The handles are the registered tensors.
  EXPECT_EQ(net->layers->at<Linear>(0)->weight.impl(), net->named_parameters()["layers.0.weight"].impl());
  EXPECT_TRUE(net->named_parameters()["p"].requires_grad());
  EXPECT_FALSE(net->named_buffers()["buf"].requires_grad());
}

TEST(NnModule, ReprMatchesTorch) {
  auto net = std::make_shared<Net>();
  EXPECT_EQ(net->repr(),
            "Net(\n"
            "  (layers): Sequential(\n"
            "    (0): Linear(in_features=2, out_features=3, bias=True)\n"
            "    (1): Tanh()\n"
            "    (2): Linear(in_features=3, out_features=4, bias=True)\n"
            "  )\n"
            "  (bn): BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)\n"
            "  (heads): ModuleList(\n"
            "    (0-2): 3 x Linear(in_features=4, out_features=1, bias=True)\n"
            "  )\n"
            "  (d): ModuleDict(\n"
            "    (a): Identity()\n"
            "    (b): Linear(in_features=1, out_features=1, bias=True)\n"
            "  )\n"
            ")");
  Sequential mlp(Linear(784, 256), ReLU(), Linear(256, 10, false));
  std::ostringstream os;
  os << mlp;
  EXPECT_EQ(os.str(),
            "Sequential(\n  (0): Linear(in_features=784, out_features=256, bias=True)\n  (1): ReLU()\n"
            "  (2): Linear(in_features=256, out_features=10, bias=False)\n)");
  EXPECT_EQ(Sequential().repr(), "Sequential()");
  EXPECT_EQ(ModuleList().repr(), "ModuleList()");
  EXPECT_EQ(ModuleList(ReLU(), ReLU(), Tanh()).repr(), "ModuleList(\n  (0-1): 2 x ReLU()\n  (2): Tanh()\n)");
  EXPECT_EQ(Sequential(ReLU(), ReLU()).repr(), "Sequential(\n  (0): ReLU()\n  (1): ReLU()\n)");
  EXPECT_EQ(ParameterList({zeros({2, 3}), zeros({2}, kFloat64)}).repr(),
            "ParameterList(\n    (0): Parameter containing: [torch.float32 of size 2x3]\n"
            "    (1): Parameter containing: [torch.float64 of size 2]\n)");
  EXPECT_EQ(ParameterDict({{"a", zeros({3})}}).repr(),
            "ParameterDict(  (a): Parameter containing: [torch.FloatTensor of size 3])");
  // A user module without a given name prints its class name.
  struct Plain : Module {};
  EXPECT_EQ(Plain().repr(), "Plain()");
  // A subclass prints its own name, as torch's `class MyLinear(nn.Linear)` does.
  struct MyLinear : Linear {
    using Linear::Linear;
  };
  EXPECT_EQ(MyLinear(1, 1).repr(), "MyLinear(in_features=1, out_features=1, bias=True)");
  struct Named : Module {
    Named() : Module("Custom") {}
  };
  EXPECT_EQ(Named().repr(), "Custom()");
}

TEST(NnModule, PythonReprOfNumbers) {
  EXPECT_EQ(py_float(0.01), "0.01");
  EXPECT_EQ(py_float(1.0), "1.0");
  EXPECT_EQ(py_float(-2.0), "-2.0");
  EXPECT_EQ(py_float(1e-5), "1e-05");
  EXPECT_EQ(py_float(1e-4), "0.0001");
  EXPECT_EQ(py_float(1e16), "1e+16");
  EXPECT_EQ(py_float(123456789012345.0), "123456789012345.0");
  EXPECT_EQ(py_float(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(py_float(2.5e-7), "2.5e-07");
  EXPECT_EQ(py_float(1.5e300), "1.5e+300");
  EXPECT_EQ(py_tuple({2, 5}), "(2, 5)");
  EXPECT_EQ(py_tuple({3}), "(3,)");
  EXPECT_EQ(py_size({3, 4}), "torch.Size([3, 4])");
}

TEST(NnModule, SharedModulesAndParametersAreListedOnce) {
  auto lin = std::make_shared<Linear>(2, 2);
  Sequential seq(lin, ReLU(), lin);
  EXPECT_EQ(seq.named_parameters().keys(), (Keys{"0.weight", "0.bias"}));
  EXPECT_EQ(seq.named_parameters(true, "", false).keys(), (Keys{"0.weight", "0.bias", "2.weight", "2.bias"}));
  EXPECT_EQ(seq.named_modules().keys(), (Keys{"", "0", "1"}));
  // state_dict keeps every path, as torch's does.
  EXPECT_EQ(seq.state_dict().keys(), (Keys{"0.weight", "0.bias", "2.weight", "2.bias"}));
}

TEST(NnModule, RegistrationErrors) {
  Linear m(1, 1);
  expect_error_containing<IndexError>([&] { m.register_parameter("a.b", Tensor()); },
                                      "parameter name can't contain \".\"");
  expect_error_containing<IndexError>([&] { m.register_parameter("", Tensor()); },
                                      "parameter name can't be empty string \"\"");
  expect_error_containing<IndexError>([&] { m.register_buffer("weight", Tensor()); },
                                      "attribute 'weight' already exists");
  expect_error_containing<IndexError>([&] { m.register_module("weight", ReLU()); },
                                      "attribute 'weight' already exists");
  expect_error_containing<IndexError>([&] { m.register_module("a.b", ReLU()); },
                                      "module name can't contain \".\", got: a.b");
  Tensor x = ones({2}, TensorOptions().requires_grad());
  expect_error_containing<ValueError>([&] { m.register_parameter("w2", x * 2); },
                                      "Cannot assign non-leaf Tensor to parameter 'w2'");
  // Registering an existing parameter name replaces it in place; None entries are skipped everywhere.
  m.register_parameter("bias", Tensor());
  EXPECT_EQ(m.named_parameters().keys(), (Keys{"weight"}));
  EXPECT_EQ(m.state_dict().keys(), (Keys{"weight"}));
  EXPECT_EQ(m.repr(), "Linear(in_features=1, out_features=1, bias=True)");
}

TEST(NnModule, AttributeLookups) {
  Sequential seq(ReLU(), Linear(1, 1));
  EXPECT_EQ(seq.get_submodule("1").get(), seq[1].get());
  EXPECT_EQ(seq.get_submodule("").get(), &seq);
  EXPECT_EQ(seq.get_parameter("1.weight").impl(), seq.at<Linear>(1)->weight.impl());
  expect_error_containing<IndexError>([&] { seq.get_submodule("0.x"); }, "ReLU has no attribute `x`");
  expect_error_containing<IndexError>([&] { seq.get_submodule("2"); }, "Sequential has no attribute `2`");
  expect_error_containing<IndexError>([&] { seq.get_parameter("1.x"); }, "Linear has no attribute `x`");
  expect_error_containing<IndexError>([&] { seq.get_buffer("1.weight"); }, "`weight` is not a buffer");
  expect_error_containing<IndexError>([&] { seq.get_submodule("1.weight"); }, "`weight` is not an nn.Module");
}

TEST(NnModule, LoadStateDictCopiesInPlace) {
  auto a = std::make_shared<Net>();
  auto b = std::make_shared<Net>();
  Tensor w = b->layers->at<Linear>(0)->weight;
  auto keys = b->load_state_dict(a->state_dict());
  EXPECT_TRUE(keys.missing_keys.empty());
  EXPECT_TRUE(keys.unexpected_keys.empty());
  for (auto& [k, v] : a->state_dict()) EXPECT_TRUE(b->state_dict()[k].equal(v)) << k;
  // Same tensor, new values; still a leaf parameter.
  EXPECT_EQ(w.impl(), b->named_parameters()["layers.0.weight"].impl());
  EXPECT_TRUE(w.equal(a->layers->at<Linear>(0)->weight));
  EXPECT_TRUE(w.is_leaf());
  EXPECT_TRUE(w.requires_grad());
  // Values are copies: changing the source afterwards leaves the target alone.
  {
    NoGradGuard g;
    a->layers->at<Linear>(0)->weight.add_(1.0);
  }
  EXPECT_FALSE(w.equal(a->layers->at<Linear>(0)->weight));
  // state_dict entries are detached.
  EXPECT_FALSE(a->state_dict()["p"].requires_grad());
  EXPECT_TRUE(a->state_dict("", true)["p"].requires_grad());
}

TEST(NnModule, LoadStateDictErrorsMatchTorch) {
  Linear lin(2, 3);
  StateDict bad{{"weight", zeros({3, 3})}, {"bias", zeros({3})}, {"extra", zeros({1})}};
  EXPECT_EQ(error_of([&] { lin.load_state_dict(bad); }),
            "Error(s) in loading state_dict for Linear:\n\tUnexpected key(s) in state_dict: \"extra\". \n\tsize "
            "mismatch for weight: copying a param with shape torch.Size([3, 3]) from checkpoint, the shape in "
            "current model is torch.Size([3, 2]).");
  Sequential m(Linear(784, 256), ReLU(), Linear(256, 10, false));
  StateDict partial{{"0.weight", zeros({256, 784})}, {"x.y", zeros({1})}, {"0.zz", zeros({1})}};
  EXPECT_EQ(error_of([&] { m.load_state_dict(partial); }),
            "Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: \"0.bias\", "
            "\"2.weight\". \n\tUnexpected key(s) in state_dict: \"x.y\", \"0.zz\". ");
  expect_error_containing<Error>([&] { m.load_state_dict(partial); }, "Missing key(s)");
  // Not strict: the keys are reported, matching entries still load.
  auto keys = m.load_state_dict(partial, false);
  EXPECT_EQ(keys.missing_keys, (Keys{"0.bias", "2.weight"}));
  EXPECT_EQ(keys.unexpected_keys, (Keys{"x.y", "0.zz"}));
  EXPECT_EQ(m.at<Linear>(0)->weight.abs().sum().item<double>(), 0.0);
  // Size mismatches raise even when not strict.
  expect_error_containing<Error>([&] { lin.load_state_dict(bad, false); }, "size mismatch for weight");
}

TEST(NnModule, LoadStateDictBuffersAndScalars) {
  struct Scalarish : Module {
    Scalarish() {
      register_parameter("s", tensor(Scalar(1.5)));
      register_buffer("hidden", zeros({2}), false);
    }
  } m;
  // A 1-element 1-d entry loads into a 0-d parameter; non-persistent buffers are neither saved nor expected.
  EXPECT_EQ(m.state_dict().keys(), (Keys{"s"}));
  m.load_state_dict({{"s", tensor({4.0})}});
  EXPECT_EQ(m.get_parameter("s").item<double>(), 4.0);
  EXPECT_EQ(m.get_parameter("s").dim(), 0);
  expect_error_containing<Error>(
      [&] {
        m.load_state_dict({{"s", tensor({4.0})}, {"hidden", zeros({2})}});
      },
      "Unexpected key(s) in state_dict: \"hidden\".");
  BatchNormLike bn;
  StateDict sd = bn.state_dict();
  sd.insert("num_batches_tracked", tensor(Scalar(int64_t{7})));
  sd.insert("running_mean", full({4}, 0.5));
  bn.load_state_dict(sd);
  EXPECT_EQ(bn.get_buffer("num_batches_tracked").item<int64_t>(), 7);
  EXPECT_EQ(bn.get_buffer("num_batches_tracked").dtype(), kInt64);
  expect_values(bn.get_buffer("running_mean"), {0.5, 0.5, 0.5, 0.5});
  // Any map of names to tensors loads.
  std::map<std::string, Tensor> plain{{"weight", full({4}, 2.0)},
                                      {"bias", zeros({4})},
                                      {"running_mean", zeros({4})},
                                      {"running_var", ones({4})},
                                      {"num_batches_tracked", tensor(Scalar(int64_t{1}))}};
  EXPECT_TRUE(bn.load_state_dict(plain).missing_keys.empty());
  expect_values(bn.get_parameter("weight"), {2, 2, 2, 2});
  plain.erase("bias");
  EXPECT_EQ(bn.load_state_dict(plain, false).missing_keys, (Keys{"bias"}));
}

TEST(NnModule, TrainEvalZeroGradRequiresGrad) {
  auto net = std::make_shared<Net>();
  EXPECT_TRUE(net->is_training());
  net->eval();
  for (auto& m : net->modules()) EXPECT_FALSE(m->is_training());
  net->train();
  for (auto& m : net->modules()) EXPECT_TRUE(m->is_training());

  Linear lin(2, 2);
  Tensor loss = lin(ones({1, 2})).sum();
  loss.backward();
  ASSERT_TRUE(lin.weight.grad().defined());
  Tensor g = lin.weight.grad();
  lin.zero_grad(false);
  EXPECT_EQ(lin.weight.grad().impl(), g.impl());  // zeroed in place
  EXPECT_EQ(lin.weight.grad().abs().sum().item<double>(), 0.0);
  lin.zero_grad();
  EXPECT_FALSE(lin.weight.grad().defined());

  lin.requires_grad_(false);
  for (auto& p : lin.parameters()) EXPECT_FALSE(p.requires_grad());
  lin.requires_grad_();
  for (auto& p : lin.parameters()) EXPECT_TRUE(p.requires_grad());
}

TEST(NnModule, ApplyVisitsChildrenFirst) {
  Sequential seq(Linear(1, 1), Sequential(ReLU(), Tanh()));
  std::vector<std::string> order;
  seq.apply([&](Module& m) { order.push_back(m.name()); });
  EXPECT_EQ(order, (Keys{"Linear", "ReLU", "Tanh", "Sequential", "Sequential"}));
}

TEST(NnModule, ToConvertsFloatingTensorsInPlace) {
  BatchNormLike bn;
  Tensor w = bn.get_parameter("weight");
  bn.get_parameter("weight").set_grad(ones({4}));
  bn.to(kFloat64);
  EXPECT_EQ(w.dtype(), kFloat64);  // the same handle, converted
  EXPECT_EQ(w.grad().dtype(), kFloat64);
  EXPECT_EQ(bn.get_buffer("running_var").dtype(), kFloat64);
  EXPECT_EQ(bn.get_buffer("num_batches_tracked").dtype(), kInt64);
  EXPECT_TRUE(w.requires_grad());
  EXPECT_TRUE(w.is_leaf());
  expect_values(w, {1, 1, 1, 1});
  expect_error_containing<TypeError>([&] { bn.to(kInt64); },
                                     "nn.Module.to only accepts floating point or complex dtypes, but got desired "
                                     "dtype=torch.int64");
  bn.to(Device("cpu"), kFloat32);
  EXPECT_EQ(w.dtype(), kFloat32);
  // Gradients flow to the converted parameter.
  Linear lin(3, 2);
  lin.to(kFloat64);
  lin(ones({1, 3}, kFloat64)).sum().backward();
  EXPECT_EQ(lin.weight.grad().dtype(), kFloat64);
  expect_values(lin.weight.grad(), {1, 1, 1, 1, 1, 1}, {2, 3});
}

TEST(NnModule, ForwardHooks) {
  Linear lin(2, 1);
  {
    NoGradGuard g;
    lin.weight.copy_(tensor({1.0, 2.0}).view({1, 2}));
    lin.bias.fill_(0.5);
  }
  Tensor x = tensor({1.0, 1.0}).view({1, 2});
  std::vector<std::string> calls;
  auto pre = lin.register_forward_pre_hook([&](Module& m, const std::vector<Tensor>& in) {
    calls.push_back("pre:" + m.name());
    return std::optional<std::vector<Tensor>>{{in[0] * 2}};
  });
  auto post = lin.register_forward_hook([&](Module&, const std::vector<Tensor>& in, const std::vector<Tensor>& out) {
    calls.push_back("post");
    EXPECT_EQ(in[0].sum().item<double>(), 4.0);  // sees the replaced input
    return std::optional<std::vector<Tensor>>{{out[0] + 100}};
  });
  auto observe = lin.register_forward_hook([&](Module&, const std::vector<Tensor>&, const std::vector<Tensor>& out) {
    calls.push_back("observe " + std::to_string(out[0].item<double>()));
    return std::nullopt;
  });
  EXPECT_EQ(lin(x).item<double>(), 2 * 1 + 2 * 2 + 0.5 + 100);
  EXPECT_EQ(calls, (Keys{"pre:Linear", "post", "observe 106.500000"}));
  EXPECT_EQ(lin.forward(x).item<double>(), 3.5);  // forward() itself skips hooks, as in torch
  pre.remove();
  post.remove();
  observe.remove();
  observe.remove();  // a second remove is a no-op
  EXPECT_FALSE(lin.has_forward_hooks());
  EXPECT_EQ(lin(x).item<double>(), 3.5);

  // Children's hooks run inside Sequential; a pre-hook changing the input count is an error.
  Sequential seq(ReLU(), Linear(2, 1));
  int seen = 0;
  seq[0]->register_forward_hook([&](Module&, const std::vector<Tensor>&, const std::vector<Tensor>&) {
    ++seen;
    return std::nullopt;
  });
  seq(x);
  EXPECT_EQ(seen, 1);
  seq[0]->register_forward_pre_hook([](Module&, const std::vector<Tensor>& in) {
    return std::optional<std::vector<Tensor>>{{in[0], in[0]}};
  });
  expect_error_containing<Error>([&] { seq(x); }, "ReLU: a forward pre-hook returned 2 inputs; forward takes 1");

  // Two-input modules run hooks on both inputs.
  Bilinear bil(2, 2, 1);
  bil.register_forward_pre_hook([](Module&, const std::vector<Tensor>& in) {
    EXPECT_EQ(in.size(), 2u);
    return std::optional<std::vector<Tensor>>{{zeros_like(in[0]), in[1]}};
  });
  expect_values(bil(x, x), {bil.bias.item<double>()}, {1, 1});
}

TEST(NnModule, SequentialContainer) {
  auto lin = std::make_shared<Linear>(3, 2);
  Sequential seq(lin, ReLU());
  seq.push_back(Tanh());
  EXPECT_EQ(seq.size(), 3u);
  EXPECT_EQ(seq[0].get(), lin.get());
  EXPECT_EQ(seq[-1]->name(), "Tanh");
  EXPECT_EQ(seq.at<Linear>(0), lin);
  expect_error_containing<IndexError>([&] { seq[3]; }, "index 3 is out of range");
  expect_error_containing<IndexError>([&] { seq[-4]; }, "index -4 is out of range");
  expect_error_containing<TypeError>([&] { seq.at<Linear>(1); }, "ReLU is not a Linear");
  Tensor x = randn({4, 3});
  EXPECT_TRUE(seq(x).equal(tanh(relu((*lin)(x)))));
  int n = 0;
  for (auto& m : seq) n += m != nullptr;
  EXPECT_EQ(n, 3);

  seq.insert(1, std::make_shared<Sigmoid>());
  EXPECT_EQ(seq.named_children().keys(), (Keys{"0", "1", "2", "3"}));
  EXPECT_EQ(seq[1]->name(), "Sigmoid");
  seq.erase(1);
  EXPECT_EQ(seq[1]->name(), "ReLU");
  EXPECT_EQ(seq.named_children().keys(), (Keys{"0", "1", "2"}));
  auto tail = seq.slice(1, 10);
  EXPECT_EQ(tail->named_children().keys(), (Keys{"1", "2"}));
  EXPECT_EQ(tail->repr(), "Sequential(\n  (1): ReLU()\n  (2): Tanh()\n)");
  // Named children, and an empty Sequential passes its input through.
  Sequential named({{"fc", std::make_shared<Linear>(3, 3)}, {"act", std::make_shared<ReLU>()}});
  EXPECT_EQ(named.state_dict().keys(), (Keys{"fc.weight", "fc.bias"}));
  EXPECT_TRUE(Sequential()(x).equal(x));
  // Only UnaryModules can be chained.
  Sequential bad;
  bad.register_module("b", Bilinear(1, 1, 1));
  expect_error_containing<TypeError>([&] { bad(x); }, "Sequential: module (b) Bilinear has no forward(Tensor)");
}

TEST(NnModule, ModuleListAndDict) {
  ModuleList list(Linear(1, 2), ReLU());
  list.push_back(std::make_shared<Tanh>());
  list.insert(0, std::make_shared<Sigmoid>());
  std::vector<std::string> names;
  for (auto& m : list) names.push_back(m->name());
  EXPECT_EQ(names, (Keys{"Sigmoid", "Linear", "ReLU", "Tanh"}));
  EXPECT_EQ(list.state_dict().keys(), (Keys{"1.weight", "1.bias"}));
  EXPECT_EQ(list.pop(1)->name(), "Linear");
  EXPECT_EQ(list.size(), 3u);
  EXPECT_EQ(list[-1]->name(), "Tanh");
  EXPECT_EQ(list.named_children().keys(), (Keys{"0", "1", "2"}));
  expect_error_containing<IndexError>([&] { list[3]; }, "index 3 is out of range");

  ModuleDict dict({{"b", std::make_shared<ReLU>()}, {"a", std::make_shared<Linear>(1, 1)}});
  EXPECT_EQ(dict.keys(), (Keys{"b", "a"}));
  dict.insert("b", Tanh());  // replaces in place
  EXPECT_EQ(dict.keys(), (Keys{"b", "a"}));
  EXPECT_EQ(dict["b"]->name(), "Tanh");
  EXPECT_TRUE(dict.contains("a"));
  EXPECT_EQ(dict.at<Linear>("a")->options.in_features, 1);
  expect_error_containing<IndexError>([&] { dict["x"]; }, "'x'");
  EXPECT_EQ(dict.pop("b")->name(), "Tanh");
  EXPECT_EQ(dict.keys(), (Keys{"a"}));

  ParameterList plist({zeros({2}), ones({3})});
  EXPECT_EQ(plist.state_dict().keys(), (Keys{"0", "1"}));
  EXPECT_TRUE(plist[1].requires_grad());
  ParameterDict pdict({{"w", zeros({2})}});
  pdict.insert("v", ones({1}));
  EXPECT_EQ(pdict.named_parameters().keys(), (Keys{"w", "v"}));
  EXPECT_EQ(pdict.pop("w").numel(), 2);
  EXPECT_EQ(pdict.keys(), (Keys{"v"}));
}

}  // namespace
}  // namespace fl::test
