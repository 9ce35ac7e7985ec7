// Networks as data: shipped networks and the loader's checks.
#include <catch2/catch.hpp>

#include <fstream>

#include "rramsim/workload/network.hpp"
#include "rramsim/common/error.hpp"
#include "support.hpp"

using namespace rramsim::workload;

TEST_CASE("networks: shipped networks load with their published sizes") {
  auto names = shipped_networks();
  for (const char* n : {"lenet5", "alexnet", "vgg16", "resnet18", "resnet50"})
    CHECK(std::find(names.begin(), names.end(), n) != names.end());
  // Multiply-accumulates and weights per inference (bias excluded): the commonly cited figures.
  struct Expect { const char* name; double gmacs, mweights; int weighted; };
  for (auto e : {Expect{"vgg16", 15.47, 138.34, 16}, Expect{"resnet18", 1.814, 11.68, 21},
                 Expect{"resnet50", 4.09, 25.50, 54}, Expect{"alexnet", 0.7239, 60.94, 8},
                 Expect{"lenet5", 0.00041652, 0.06146, 5}}) {
    INFO(e.name);
    Network n = load_network(e.name);
    CHECK(n.total_macs() / 1e9 == Approx(e.gmacs).epsilon(0.01));
    CHECK(n.total_weights() / 1e6 == Approx(e.mweights).epsilon(0.01));
    CHECK(n.weighted_layer_count() == e.weighted);
    CHECK(n.layers.back().out_shape.elements() == (std::string(e.name) == "lenet5" ? 10 : 1000));
  }
  Network r = load_network("resnet18");
  const Layer& add = r.layers[r.find("res3a")];
  CHECK(add.kind == LayerKind::add);
  REQUIRE(add.inputs.size() == 2);
  CHECK(r.layers[add.inputs[1]].name == "res3a_proj");
  CHECK(add.out_shape == Shape{128, 28, 28});
  CHECK(load_network("alexnet").layers[2].groups == 2);
}

TEST_CASE("networks: bad files name the file, the layer and the field") {
  const std::string head = "name = \"t\"\n[input]\nchannels = 3\nheight = 8\nwidth = 8\n";
  auto err = [&](const std::string& body) {
    try {
      parse_network(head + body, "bad.toml");
    } catch (const rramsim::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // Mismatched channels.
  std::string e = err("[[layer]]\nname = \"c1\"\ntype = \"conv\"\nin_channels = 4\nout_channels = 8\nkernel = 3\n");
  CHECK_THAT(e, Catch::Contains("bad.toml:9: layer[0].in_channels") && Catch::Contains("'c1'") &&
                    Catch::Contains("declares 4 input channels but its input has 3"));
  // Zero-size layers: a kernel larger than the input, zero output channels.
  e = err("[[layer]]\nname = \"c1\"\ntype = \"conv\"\nout_channels = 8\nkernel = 9\n");
  CHECK_THAT(e, Catch::Contains("layer[0].kernel") && Catch::Contains("output would be empty"));
  e = err("[[layer]]\nname = \"c1\"\ntype = \"conv\"\nout_channels = 0\nkernel = 3\n");
  CHECK_THAT(e, Catch::Contains("layer[0].out_channels") && Catch::Contains("out of range"));
  // Unknown layer type, unknown field.
  e = err("[[layer]]\nname = \"c1\"\ntype = \"lstm\"\n");
  CHECK_THAT(e, Catch::Contains("layer[0].type") && Catch::Contains("unknown value 'lstm'"));
  e = err("[[layer]]\nname = \"c1\"\ntype = \"conv\"\nout_channels = 4\nkernel = 3\nstrides = 2\n");
  CHECK_THAT(e, Catch::Contains("unknown key 'layer[0].strides'"));
  // Residual add of different shapes; unknown input; fc declared size.
  e = err("[[layer]]\nname = \"a\"\ntype = \"conv\"\nout_channels = 4\nkernel = 1\n"
          "[[layer]]\nname = \"b\"\ntype = \"conv\"\nout_channels = 4\nkernel = 3\n"
          "[[layer]]\nname = \"s\"\ntype = \"add\"\ninputs = [\"a\", \"b\"]\n");
  CHECK_THAT(e, Catch::Contains("layer[2].inputs") && Catch::Contains("different shapes (4x8x8 and 4x6x6)"));
  e = err("[[layer]]\nname = \"a\"\ntype = \"conv\"\nout_channels = 4\nkernel = 1\ninputs = [\"x\"]\n");
  CHECK_THAT(e, Catch::Contains("input 'x' is not the network input or an earlier layer"));
  e = err("[[layer]]\nname = \"f\"\ntype = \"fc\"\nin_features = 100\nout_features = 10\n");
  CHECK_THAT(e, Catch::Contains("layer[0].in_features") && Catch::Contains("has 192"));
  e = err("[[layer]]\nname = \"c\"\ntype = \"conv\"\nout_channels = 4\nkernel = 1\ngroups = 2\n");
  CHECK_THAT(e, Catch::Contains("groups 2 must divide input channels 3"));
  CHECK_THAT(err(""), Catch::Contains("no [[layer]]"));
  CHECK_THROWS_WITH(load_network("nosuchnet"), Catch::Contains("unknown network 'nosuchnet'") &&
                                                   Catch::Contains("vgg16"));
}

TEST_CASE("networks: the command line rejects bad network and hardware files with a clear error") {
  auto dir = rramsim::test::temp_dir("arch-bad");
  std::ofstream(dir / "net.toml") << "name = \"t\"\n[input]\nchannels = 1\nheight = 8\nwidth = 8\n"
                                     "[[layer]]\nname = \"c\"\ntype = \"conv\"\nin_channels = 2\nout_channels = 4\nkernel = 3\n";
  auto r = rramsim::test::run_rramsim("evaluate --arch isaac --network " + (dir / "net.toml").string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::StartsWith("rramsim: error: ") && Catch::Contains("net.toml:9: layer[0].in_channels"));
  CHECK(r.out.empty());

  std::ofstream(dir / "hw.toml") << "name = \"x\"\nclock_hz = 1e9\n[crossbar]\nrows = 128\n";
  r = rramsim::test::run_rramsim("evaluate --arch " + (dir / "hw.toml").string() + " --network lenet5");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("hw.toml") && Catch::Contains("crossbar.cols: required"));

  r = rramsim::test::run_rramsim("evaluate --arch nosuch --network lenet5");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("unknown hardware 'nosuch'"));
}
