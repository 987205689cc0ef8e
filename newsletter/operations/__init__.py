"""What operators watch: Prometheus metrics (``metrics``, in files shared by every process when
NEWSLETTER_METRICS_DIR is set: ``metrics_dir``), readiness checks (``health``), the
configuration checks of `newsletter doctor` (``doctor``) and JSON log lines (``logging``)."""
