// Tests for VecheCore.
