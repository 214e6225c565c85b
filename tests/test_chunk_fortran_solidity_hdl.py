"""Fortran, Solidity, Verilog, VHDL, Ada and Pascal get symbols and imports from their queries."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from atlas_core.testing import chunk_spans, symbols_and_imports, tree_sitter_chunks

#: the ``rank_beside_decoys`` fixture (tests/conftest.py)
Rank = Callable[[dict[str, str], str], tuple[list[str], str]]

# (language, file name, source, symbols as (kind, qualified name), imports in order)
SAMPLES: list[tuple[str, str, str, set[tuple[str, str]], list[str]]] = [
    (
        "fortran",
        "heat_solver.f90",
        """
        module heat_solver
          use iso_fortran_env, only: real64
          use grid_mod
          implicit none
          include 'mpif.h'

          type :: grid_t
            real(real64), allocatable :: u(:)
          contains
            procedure :: step => grid_step
          end type grid_t

          interface norm
            module procedure norm2
          end interface

        contains

          subroutine grid_step(self, dt)
            class(grid_t), intent(inout) :: self
            real(real64), intent(in) :: dt
            self%u = self%u * dt
          end subroutine grid_step

          pure function norm2(v) result(r)
            real(real64), intent(in) :: v(:)
            real(real64) :: r
            r = sqrt(sum(v**2))
          end function norm2
        end module heat_solver

        submodule (heat_solver) heat_io
        contains
          module procedure dump
          end procedure dump
        end submodule heat_io

        program main
          use heat_solver
          call run()
        contains
          subroutine run()
            print *, 'hi'
          end subroutine run
        end program main

        recursive integer function fact(n)
          integer :: n
          fact = 1
        end function
        """,
        {
            ("module", "heat_solver"),
            ("struct", "heat_solver.grid_t"),
            ("method", "heat_solver.grid_t.step"),
            ("interface", "heat_solver.norm"),
            ("function", "heat_solver.grid_step"),
            ("function", "heat_solver.norm2"),
            ("module", "heat_io"),
            ("function", "heat_io.dump"),
            ("module", "main"),
            ("function", "main.run"),
            ("function", "fact"),
        },
        ["iso_fortran_env", "grid_mod", "mpif.h", "heat_solver", "heat_solver"],
    ),
    (
        "solidity",
        "Vault.sol",
        """
        // SPDX-License-Identifier: MIT
        pragma solidity ^0.8.20;

        import "@openzeppelin/contracts/token/ERC20/IERC20.sol";
        import {SafeMath} from "./libs/SafeMath.sol";
        import * as Utils from "./Utils.sol";

        uint256 constant MAX_SUPPLY = 1e24;
        error Unauthorized(address caller);
        struct Position { uint256 amount; }

        interface IVault {
            event Deposited(address indexed user, uint256 amount);
            function deposit(uint256 amount) external;
        }

        library MathLib {
            function min(uint256 a, uint256 b) internal pure returns (uint256) {
                return a < b ? a : b;
            }
        }

        abstract contract Vault is IVault {
            using MathLib for uint256;
            enum State { Open, Closed }
            struct Account { uint256 balance; }
            mapping(address => Account) public accounts;
            event Withdrawn(address indexed user, uint256 amount);
            error TooLarge();
            address owner;
            modifier onlyOwner() { require(msg.sender == owner); _; }
            constructor(address o) { owner = o; }
            function deposit(uint256 amount) external override {
                accounts[msg.sender].balance += amount;
            }
            function withdraw(uint256 amount) external onlyOwner {
                emit Withdrawn(msg.sender, amount);
            }
            receive() external payable {}
        }

        function freeHelper(uint256 x) pure returns (uint256) { return x; }
        """,
        {
            ("constant", "MAX_SUPPLY"),
            ("error", "Unauthorized"),
            ("struct", "Position"),
            ("interface", "IVault"),
            ("event", "IVault.Deposited"),
            ("method", "IVault.deposit"),
            ("module", "MathLib"),
            ("function", "MathLib.min"),
            ("class", "Vault"),
            ("enum", "Vault.State"),
            ("struct", "Vault.Account"),
            ("event", "Vault.Withdrawn"),
            ("error", "Vault.TooLarge"),
            ("method", "Vault.onlyOwner"),
            ("method", "Vault.deposit"),
            ("method", "Vault.withdraw"),
            ("function", "freeHelper"),
        },
        ["@openzeppelin/contracts/token/ERC20/IERC20.sol", "./libs/SafeMath.sol", "./Utils.sol"],
    ),
    (
        "verilog",
        "fifo.sv",
        """
        `include "defs.vh"
        `include <uvm_macros.svh>
        `define DEPTH 16

        package bus_pkg;
          typedef enum logic [1:0] {IDLE, BUSY} state_t;
          function automatic int parity(input logic [7:0] d);
            return ^d;
          endfunction
        endpackage : bus_pkg

        import bus_pkg::*;

        interface bus_if(input logic clk);
          logic valid;
        endinterface

        module fifo #(parameter WIDTH = 8) (
          input  wire clk,
          input  wire [WIDTH-1:0] din,
          output reg  [WIDTH-1:0] dout
        );
          function [WIDTH-1:0] invert(input [WIDTH-1:0] x);
            invert = ~x;
          endfunction

          task reset_all;
            begin
              dout <= 0;
            end
          endtask

          always @(posedge clk) begin
            dout <= invert(din);
          end
        endmodule : fifo

        class Packet;
          rand bit [7:0] data;
          extern function void check();
          function void show();
            $display("%h", data);
          endfunction
        endclass : Packet

        function void Packet::check();
        endfunction
        """,
        {
            ("macro", "DEPTH"),
            ("module", "bus_pkg"),
            ("type", "bus_pkg.state_t"),
            ("function", "bus_pkg.parity"),
            ("interface", "bus_if"),
            ("module", "fifo"),
            ("function", "fifo.invert"),
            ("function", "fifo.reset_all"),
            ("class", "Packet"),
            ("method", "Packet.check"),
            ("method", "Packet.show"),
        },
        ["defs.vh", "uvm_macros.svh", "bus_pkg"],
    ),
    (
        "vhdl",
        "uart_tx.vhd",
        """
        library ieee;
        use ieee.std_logic_1164.all;
        use ieee.numeric_std.unsigned;
        use work.uart_pkg.all;

        entity uart_tx is
          generic (BAUD : integer := 115200);
          port (
            clk : in  std_logic;
            tx  : out std_logic
          );
        end entity uart_tx;

        architecture rtl of uart_tx is
          type state_t is (IDLE, START, DATA);
          signal state : state_t := IDLE;
          function parity(d : std_logic_vector) return std_logic is
          begin
            return xor d;
          end function;
          procedure reset_all(signal s : out state_t) is
          begin
            s <= IDLE;
          end procedure;
        begin
          shift_proc : process(clk)
          begin
            if rising_edge(clk) then
              state <= DATA;
            end if;
          end process shift_proc;
          process(clk) begin end process;
        end architecture rtl;

        package uart_pkg is
          constant CLK_HZ : integer := 50000000;
          function to_baud(n : integer) return integer;
        end package uart_pkg;

        package body uart_pkg is
          function to_baud(n : integer) return integer is
          begin
            return n;
          end function to_baud;
        end package body uart_pkg;
        """,
        {
            ("module", "uart_tx"),
            ("module", "uart_tx.rtl"),
            ("type", "uart_tx.rtl.state_t"),
            ("function", "uart_tx.rtl.parity"),
            ("function", "uart_tx.rtl.reset_all"),
            ("process", "uart_tx.rtl.shift_proc"),
            ("module", "uart_pkg"),
            ("constant", "uart_pkg.CLK_HZ"),
            ("function", "uart_pkg.to_baud"),
        },
        ["ieee", "ieee.std_logic_1164", "ieee.numeric_std.unsigned", "work.uart_pkg"],
    ),
    (
        "ada",
        "util-strings.adb",
        """
        with Ada.Text_IO; use Ada.Text_IO;
        with Ada.Containers.Vectors, Interfaces;
        private with Ada.Strings.Unbounded;

        package body Util.Strings is

           Max_Size : constant := 100;

           type Node is record
              Value : Integer;
           end record;

           type Color is (Red, Green);
           type Handle is access Node;
           subtype Small is Integer range 0 .. 9;

           procedure Skip (X : Integer) is null;

           procedure Push (Q : in out Queue; V : Integer) is
           begin
              null;
           end Push;

           function Pop (Q : in out Queue) return Integer is
              function Helper return Integer is (1);
           begin
              return Helper;
           end Pop;

           generic
              type T is private;
           procedure Swap (A, B : in out T);

           package Nested is
              procedure Clear;
           end Nested;

        end Util.Strings;
        """,
        {
            ("module", "Util.Strings"),
            ("constant", "Util.Strings.Max_Size"),
            ("struct", "Util.Strings.Node"),
            ("enum", "Util.Strings.Color"),
            ("type", "Util.Strings.Handle"),
            ("type", "Util.Strings.Small"),
            ("function", "Util.Strings.Skip"),
            ("function", "Util.Strings.Push"),
            ("function", "Util.Strings.Pop"),
            ("function", "Util.Strings.Pop.Helper"),
            ("function", "Util.Strings.Swap"),
            ("module", "Util.Strings.Nested"),
            ("function", "Util.Strings.Nested.Clear"),
        },
        ["Ada.Text_IO", "Ada.Containers.Vectors", "Interfaces", "Ada.Strings.Unbounded"],
    ),
    (
        "pascal",
        "Geometry.pas",
        """
        unit Geometry;

        {$mode objfpc}

        interface

        uses
          SysUtils, Classes, Math;

        const
          MaxPoints = 100;

        type
          TPoint = record
            X, Y: Double;
          end;

          TColor = (clRed, clGreen);
          TPointProc = procedure(const P: TPoint);

          TShape = class(TObject)
          private
            FName: string;
          public
            constructor Create(const AName: string);
            function Area: Double; virtual; abstract;
            procedure Draw;
          end;

          TList<T> = class
            procedure Add(X: T);
          end;

          IDrawable = interface
            procedure Paint;
          end;

        function Distance(const A, B: TPoint): Double;

        implementation

        uses StrUtils;

        constructor TShape.Create(const AName: string);
        begin
          FName := AName;
        end;

        procedure TShape.Draw;
        begin
          WriteLn(FName);
        end;

        procedure TList<T>.Add(X: T);
        begin
        end;

        function Distance(const A, B: TPoint): Double;
        begin
          Result := Sqrt(Sqr(A.X - B.X) + Sqr(A.Y - B.Y));
        end;

        end.
        """,
        {
            ("module", "Geometry"),
            ("constant", "MaxPoints"),
            ("struct", "TPoint"),
            ("enum", "TColor"),
            ("type", "TPointProc"),
            ("class", "TShape"),
            ("method", "TShape.Create"),
            ("method", "TShape.Area"),
            ("method", "TShape.Draw"),
            ("class", "TList"),
            ("method", "TList.Add"),
            ("interface", "IDrawable"),
            ("method", "IDrawable.Paint"),
            ("function", "Distance"),
        },
        ["SysUtils", "Classes", "Math", "StrUtils"],
    ),
]


@pytest.mark.parametrize(
    ("language", "name", "source", "symbols", "imports"), SAMPLES, ids=[s[0] for s in SAMPLES]
)
def test_tree_sitter_chunks(
    language: str, name: str, source: str, symbols: set[tuple[str, str]], imports: list[str]
) -> None:
    assert symbols_and_imports(tree_sitter_chunks(name, source, language)) == (symbols, imports)


def _spans(language: str, name: str, qualified: str) -> list[tuple[str, int, int]]:
    sample = next(s for s in SAMPLES if s[0] == language)
    return chunk_spans(tree_sitter_chunks(name, sample[2], language), qualified)


def test_line_ranges_cover_the_body() -> None:
    # a definition runs to its `end` line, not into the blank line after it
    assert _spans("fortran", "h.f90", "heat_solver.grid_step") == [("function", 19, 23)]
    assert _spans("verilog", "f.sv", "fifo") == [("module", 18, 36)]
    assert _spans("vhdl", "u.vhd", "uart_pkg.to_baud") == [
        ("function", 37, 37),
        ("function", 41, 44),
    ]
    # declared in the class, defined in the implementation section
    assert _spans("pascal", "g.pas", "TShape.Draw") == [("method", 27, 27), ("method", 49, 52)]
    # a unit is named on its line and qualifies nothing
    assert _spans("pascal", "g.pas", "Geometry") == [("module", 1, 1)]


@pytest.mark.parametrize(
    ("path", "text", "query"),
    [
        (
            "src/solver/diffusion.f90",
            "module diffusion\ncontains\n  subroutine implicit_euler_step(u, dt)\n"
            "    real :: u(:), dt\n    u = u * dt\n  end subroutine implicit_euler_step\n"
            "end module diffusion\n",
            "implicit_euler_step diverges for large dt",
        ),
        (
            "contracts/Staking.sol",
            "pragma solidity ^0.8.0;\n\ncontract Staking {\n"
            "    function claimRewardShares(address who) external {}\n}\n",
            "claimRewardShares pays twice",
        ),
        (
            "rtl/arbiter.v",
            "module round_robin_arbiter(input clk, output grant);\nendmodule\n",
            "round_robin_arbiter starves the last requester",
        ),
        (
            "hdl/crc.vhd",
            "entity crc_engine is\n  port (clk : in bit);\nend entity;\n\n"
            "architecture rtl of crc_engine is\nbegin\nend architecture;\n",
            "crc_engine gives the wrong checksum",
        ),
        (
            "src/ring_buffers.adb",
            "package body Ring_Buffers is\n"
            "   procedure Drain_Pending_Items (B : in out Buffer) is\n"
            "   begin\n      null;\n   end Drain_Pending_Items;\nend Ring_Buffers;\n",
            "Drain_Pending_Items drops the last element",
        ),
        (
            "src/parser.pas",
            "unit Parser;\ninterface\nimplementation\n"
            "procedure SkipWhitespaceRuns(var S: string);\nbegin\nend;\nend.\n",
            "SkipWhitespaceRuns eats a newline",
        ),
    ],
    ids=["fortran", "solidity", "verilog", "vhdl", "ada", "pascal"],
)
def test_a_symbol_named_in_the_task_ranks_its_file_first(
    rank_beside_decoys: Rank, path: str, text: str, query: str
) -> None:
    names, first = rank_beside_decoys({path: text}, query)
    assert query.split()[0] in names  # each task opens with the symbol's name
    assert first == path
