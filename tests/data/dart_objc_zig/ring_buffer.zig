//! A small ring buffer used by the event loop.
//! Not thread-safe.

const std = @import("std");
const builtin = @import("builtin");
const assert = std.debug.assert;
const Allocator = std.mem.Allocator;
const c = @cImport({
    @cInclude("stdio.h");
});

pub const default_capacity: usize = 16;
pub const log = std.log.scoped(.ring);
threadlocal var scratch: [64]u8 = undefined;

pub const RingError = error{
    Full,
    Empty,
} || Allocator.Error;

pub fn RingBuffer(comptime T: type) type {
    return struct {
        const Self = @This();

        items: []T,
        head: usize = 0,
        len: usize = 0,
        allocator: Allocator,

        pub fn init(allocator: Allocator, capacity: usize) !Self {
            const items = try allocator.alloc(T, capacity);
            errdefer allocator.free(items);
            return .{ .items = items, .allocator = allocator };
        }

        pub fn deinit(self: *Self) void {
            self.allocator.free(self.items);
            self.* = undefined;
        }

        pub fn push(self: *Self, item: T) RingError!void {
            if (self.len == self.items.len) return error.Full;
            self.items[(self.head + self.len) % self.items.len] = item;
            self.len += 1;
        }

        pub inline fn isEmpty(self: Self) bool {
            return self.len == 0;
        }

        pub fn pop(self: *Self) ?T {
            if (self.isEmpty()) return null;
            defer {
                self.head = (self.head + 1) % self.items.len;
                self.len -= 1;
            }
            return self.items[self.head];
        }
    };
}

pub const Mode = enum {
    blocking,
    non_blocking,

    pub fn describe(mode: Mode) []const u8 {
        return switch (mode) {
            .blocking => "blocking",
            .non_blocking => "non-blocking",
        };
    }
};

fn printStats(count: usize) void {
    _ = c.printf("count=%zu\n", count);
    if (builtin.mode == .Debug) log.debug("count={d}", .{count});
}

test "ring buffer wraps around" {
    var ring = try RingBuffer(u8).init(std.testing.allocator, 2);
    defer ring.deinit();
    try ring.push(1);
    try std.testing.expectEqual(@as(?u8, 1), ring.pop());
}
