// Tests for VecheStore.
