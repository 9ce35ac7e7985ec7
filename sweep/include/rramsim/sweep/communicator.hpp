#pragma once
// The processes of one sweep. Under `mpirun -n N` (Open MPI) points and calibrations are
// shared out across ranks and rank 0 gathers the results; otherwise one process does all.
// The only place MPI is used: one object per run, made by the command, finalized on exit.
#include <cstddef>
#include <string>
#include <vector>

namespace rramsim::sweep {

class Communicator {
 public:
  // Initializes MPI only when started by mpirun (OMPI_COMM_WORLD_SIZE / PMI_SIZE set) and
  // the build has MPI; else a single process.
  Communicator();
  ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool root() const { return rank_ == 0; }
  void barrier() const;
  // True on every rank if `ok` is false on any (so all ranks stop together on an error).
  bool any_failed(bool ok) const;
  // Rank 0 receives every rank's `mine` concatenated in rank order; others get {}.
  std::vector<double> gather(const std::vector<double>& mine) const;

 private:
  int rank_ = 0, size_ = 1;
  bool initialized_ = false;
};

}  // namespace rramsim::sweep
