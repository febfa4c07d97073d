// Posts one handler and checks it ran: proves headers, library and link flags.
#include <rill.hpp>

int main() {
  rill::io_context ioc;
  int ran = 0;
  rill::post(ioc, [&ran] { ++ran; });
  return ioc.run() == 1 && ran == 1 ? 0 : 1;
}
