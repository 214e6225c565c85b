#import "Bridge.h"
#include <vector>

namespace rt {
class Buffer {
 public:
  void push(int v) { data_.push_back(v); }
 private:
  std::vector<int> data_;
};
}  // namespace rt

@implementation RTBridge

- (void)pushValue:(int)value {
    _buffer.push(value);
}

@end

static int RTSum(const std::vector<int> &values) {
    int total = 0;
    for (int v : values) total += v;
    return total;
}
