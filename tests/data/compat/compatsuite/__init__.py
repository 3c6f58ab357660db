"""compatsuite: a small kafkatest-style suite run by upstream ducktape and by ours, then compared."""
