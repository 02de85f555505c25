// The seed incident in five lines: the cleanup sees the reassigned connection.
template <class F> struct OnExit { F fn; ~OnExit() { fn(); } };
template <class F> OnExit<F> on_exit(F f) { return OnExit<F>{f}; }
void close_conn(int);
void serve(int id) { int conn = id; auto g = on_exit([&] { close_conn(conn); }); conn = id + 1; }
