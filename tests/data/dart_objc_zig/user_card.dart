import 'dart:convert';
import 'package:flutter/widgets.dart';
import '../models/user.dart';

const _kTimeout = Duration(seconds: 30);

class UserCard extends StatefulWidget {
  const UserCard({
    super.key,
    required this.user,
    this.onTap,
  });

  final User user;
  final VoidCallback? onTap;

  @override
  State<UserCard> createState() => _UserCardState();
}

class _UserCardState extends State<UserCard> with SingleTickerProviderStateMixin {
  late final AnimationController _controller;
  bool _expanded = false;

  @override
  void initState() {
    super.initState();
    _controller = AnimationController(vsync: this, duration: _kTimeout);
  }

  @override
  Widget build(BuildContext context) {
    final (name, age) = (widget.user.name, widget.user.age);
    return GestureDetector(
      onTap: () => setState(() => _expanded = !_expanded),
      child: Text(switch (age) {
        < 18 => '$name (minor)',
        _ => name,
      }),
    );
  }

  Stream<int> countdown(int from) async* {
    for (var i = from; i >= 0; i--) {
      yield i;
    }
  }
}

final class UserRepository {
  final Map<String, User> _cache = {};

  Future<User?> fetch(String id, {bool refresh = false}) async {
    if (!refresh && _cache.containsKey(id)) return _cache[id];
    final json = jsonDecode('{}') as Map<String, dynamic>;
    return User.fromJson(json);
  }
}

interface class Repository<T> {
  T? find(String id) => null;
}

enum Status {
  active('A'),
  inactive('I');

  const Status(this.code);
  final String code;

  static Status parse(String s) => values.firstWhere((v) => v.code == s);
}

typedef JsonMap = Map<String, dynamic>;
