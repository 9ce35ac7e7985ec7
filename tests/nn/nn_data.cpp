// IDX readers and data sets: the real MNIST and Fashion-MNIST files, and broken ones.
#include <catch2/catch.hpp>
#include <zlib.h>

#include <fstream>

#include "rramsim/nn/dataset.hpp"
#include "rramsim/nn/idx.hpp"
#include "rramsim/common/error.hpp"
#include "support.hpp"

using namespace rramsim;
using namespace rramsim::nn;

TEST_CASE("nn: MNIST test set reads from raw IDX, first labels 7 2 1 0") {
  Dataset d = load_dataset({.name = "mnist", .split = "test", .dir = {}, .limit = 0});
  REQUIRE(d.size() == 10000);
  CHECK(d.height == 28);
  CHECK(d.width == 28);
  CHECK(d.images.rows() == 784);
  CHECK(d.labels[0] == 7);
  CHECK(d.labels[1] == 2);
  CHECK(d.labels[2] == 1);
  CHECK(d.labels[3] == 0);
  CHECK(d.images.minCoeff() == 0.0f);
  CHECK(d.images.maxCoeff() == 1.0f);
  // The first test digit (a 7) has ink in its upper bar and none in the corner.
  CHECK(d.images(0, 0) == 0.0f);
  CHECK(d.images.col(0).sum() > 50.0f);
  Dataset t = load_dataset({.name = "mnist", .split = "train", .dir = {}, .limit = 100});
  CHECK(t.size() == 100);
  CHECK(t.labels[0] == 5);  // the MNIST training set starts 5 0 4 1
  CHECK(t.labels[1] == 0);
}

TEST_CASE("nn: Fashion-MNIST reads from gzip IDX, first test labels 9 2 1 1") {
  Dataset d = load_dataset({.name = "fashion-mnist", .split = "test", .dir = {}, .limit = 500});
  REQUIRE(d.size() == 500);
  CHECK(d.images.rows() == 784);
  CHECK(std::vector<int>(d.labels.begin(), d.labels.begin() + 4) == std::vector<int>{9, 2, 1, 1});
  auto full = read_idx("/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz");
  CHECK(full.dims == std::vector<int64_t>{60000});
}

TEST_CASE("nn: missing, corrupt and foreign data set files give clear errors") {
  auto dir = test::temp_dir("nn-idx");
  CHECK_THROWS_WITH(load_dataset({.name = "mnist", .split = "test", .dir = dir, .limit = 0}),
                    Catch::Contains("missing file") && Catch::Contains("t10k-images-idx3-ubyte"));
  CHECK_THROWS_WITH(load_dataset({.name = "cifar10", .split = "test", .dir = {}, .limit = 0}), Catch::Contains("unknown data set 'cifar10'"));
  CHECK_THROWS_WITH(load_dataset({.name = "mnist", .split = "valid", .dir = {}, .limit = 0}), Catch::Contains("split 'valid'"));

  // Truncated: a valid header promising 10 images of 28x28 but only 100 bytes of data.
  {
    std::ofstream f(dir / "t10k-images-idx3-ubyte", std::ios::binary);
    const unsigned char hdr[] = {0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28};
    f.write(reinterpret_cast<const char*>(hdr), sizeof hdr);
    f << std::string(100, '\0');
  }
  std::ofstream(dir / "t10k-labels-idx1-ubyte") << "not an idx file";
  CHECK_THROWS_WITH(read_idx(dir / "t10k-images-idx3-ubyte"), Catch::Contains("truncated data"));
  CHECK_THROWS_WITH(read_idx(dir / "t10k-labels-idx1-ubyte"), Catch::Contains("not an IDX file"));
  CHECK_THROWS_AS(load_dataset({.name = "mnist", .split = "test", .dir = dir, .limit = 0}), InputError);

  // A corrupt gzip stream (valid gzip header, garbage body) is an error, not a crash.
  {
    std::ofstream f(dir / "bad.gz", std::ios::binary);
    const unsigned char gz[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3};
    f.write(reinterpret_cast<const char*>(gz), sizeof gz);
  }
  CHECK_THROWS_AS(read_idx(dir / "bad.gz"), InputError);
  // Image and label counts that disagree.
  std::filesystem::remove(dir / "t10k-images-idx3-ubyte");
  {
    std::ofstream f(dir / "t10k-images-idx3-ubyte", std::ios::binary);
    const unsigned char hdr[] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2};
    f.write(reinterpret_cast<const char*>(hdr), sizeof hdr);
    f << std::string(8, '\0');
    std::ofstream l(dir / "t10k-labels-idx1-ubyte", std::ios::binary);
    const unsigned char lh[] = {0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3};
    l.write(reinterpret_cast<const char*>(lh), sizeof lh);
  }
  CHECK_THROWS_WITH(load_dataset({.name = "mnist", .split = "test", .dir = dir, .limit = 0}), Catch::Contains("2 images but 3 labels"));
}
