#include "rramsim/sweep/communicator.hpp"

#include <cstdlib>

#include "rramsim/common/error.hpp"

#ifdef RRAMSIM_HAVE_MPI
#define OMPI_SKIP_MPICXX 1  // the C API only (no deprecated C++ bindings to link)
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace rramsim::sweep {

namespace {
bool started_by_mpirun() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(v)) return true;
  return false;
}
}  // namespace

Communicator::Communicator() {
#ifdef RRAMSIM_HAVE_MPI
  if (!started_by_mpirun()) return;  // a plain run: no MPI_Init, no daemons
  int done = 0;
  MPI_Initialized(&done);
  if (!done) {
    MPI_Init(nullptr, nullptr);
    initialized_ = true;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
#else
  if (started_by_mpirun() && std::getenv("OMPI_COMM_WORLD_SIZE") && std::atoi(std::getenv("OMPI_COMM_WORLD_SIZE")) > 1)
    throw InputError("started by mpirun, but this rramsim was built without MPI (install libopenmpi-dev and rebuild)");
#endif
}

Communicator::~Communicator() {
#ifdef RRAMSIM_HAVE_MPI
  if (initialized_) MPI_Finalize();
#endif
}

void Communicator::barrier() const {
#ifdef RRAMSIM_HAVE_MPI
  if (size_ > 1) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

bool Communicator::any_failed(bool ok) const {
#ifdef RRAMSIM_HAVE_MPI
  if (size_ > 1) {
    int mine = ok ? 0 : 1, any = 0;
    MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return any != 0;
  }
#endif
  return !ok;
}

std::vector<double> Communicator::gather(const std::vector<double>& mine) const {
#ifdef RRAMSIM_HAVE_MPI
  if (size_ > 1) {
    int n = static_cast<int>(mine.size());
    std::vector<int> counts(size_), offsets(size_);
    MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::vector<double> all;
    if (rank_ == 0) {
      int total = 0;
      for (int r = 0; r < size_; ++r) {
        offsets[r] = total;
        total += counts[r];
      }
      all.resize(total);
    }
    MPI_Gatherv(mine.data(), n, MPI_DOUBLE, all.data(), counts.data(), offsets.data(), MPI_DOUBLE, 0, MPI_COMM_WORLD);
    return all;
  }
#endif
  return mine;
}

}  // namespace rramsim::sweep
