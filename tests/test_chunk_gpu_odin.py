"""CUDA, GLSL, HLSL, WGSL and Odin files get symbols (and imports) from their query files."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_core.engine import Atlas
from atlas_core.testing import (
    chunk_spans,
    first_ranked,
    symbols_and_imports,
    tree_sitter_chunks,
    write_repo,
)

# (language, file name, source, symbols as (kind, qualified name), imports in order)
SAMPLES: list[tuple[str, str, str, set[tuple[str, str]], list[str]]] = [
    (
        "cuda",
        "reduce.cu",
        """
        #include <cuda_runtime.h>
        #include "reduce.cuh"

        #define BLOCK_SIZE 256

        __constant__ float c_weights[16];
        __device__ __constant__ int c_stride = 1;
        __device__ unsigned int d_blocks_done;
        __managed__ int m_status;
        static const int kWarp = 32;

        struct Partial {
            float sum;
            int count;
        };

        __device__ __forceinline__ float warp_sum(float v) {
            for (int o = kWarp / 2; o > 0; o /= 2) v += __shfl_down_sync(0xffffffff, v, o);
            return v;
        }

        template <typename T>
        __global__ void reduce_kernel(const T *in, T *out, int n) {
            __shared__ T tile[BLOCK_SIZE];
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            tile[threadIdx.x] = i < n ? in[i] : T(0);
            __syncthreads();
        }

        __global__ void __launch_bounds__(BLOCK_SIZE) finalize(Partial *p);

        extern "C" __global__ void scale(float *x, float a, int n) {}

        __host__ __device__ inline int div_up(int a, int b) { return (a + b - 1) / b; }

        class Reducer {
          public:
            explicit Reducer(int n);
            void run(const float *in, float *out);
          private:
            int n_;
        };

        void Reducer::run(const float *in, float *out) {
            reduce_kernel<float><<<div_up(n_, BLOCK_SIZE), BLOCK_SIZE>>>(in, out, n_);
            cudaDeviceSynchronize();
        }
        """,
        {
            ("macro", "BLOCK_SIZE"),
            ("constant", "c_weights"),
            ("constant", "c_stride"),
            ("variable", "d_blocks_done"),
            ("variable", "m_status"),
            ("struct", "Partial"),
            ("function", "warp_sum"),
            ("function", "reduce_kernel"),
            ("function", "finalize"),
            ("function", "scale"),
            ("function", "div_up"),
            ("class", "Reducer"),
            ("method", "Reducer.Reducer"),
            ("method", "Reducer.run"),
        },
        ["cuda_runtime.h", "reduce.cuh"],
    ),
    (
        "glsl",
        "pbr.frag",
        """
        #version 450
        #extension GL_GOOGLE_include_directive : require
        #include "lighting.glsl"

        #define MAX_LIGHTS 8
        #define SQR(x) ((x) * (x))
        precision highp float;

        const float PI = 3.14159265;
        const vec2 OFFSETS[2] = vec2[](vec2(0.0), vec2(1.0));

        struct PointLight {
            vec3 position;
            vec3 color;
        };

        layout(std140, binding = 0) uniform Camera {
            mat4 view;
            mat4 proj;
        } camera;

        layout(std430, binding = 1) readonly buffer LightBuffer {
            PointLight lights[];
        };

        in VertexData {
            vec3 normal;
            vec2 uv;
        } fs_in;

        uniform sampler2D u_albedo;
        uniform float u_exposure = 1.0, u_gamma = 2.2;
        layout(location = 0) out vec4 o_color;

        float distribution_ggx(float n_dot_h, float roughness);

        vec3 shade(PointLight l, vec3 n) {
            float d = length(l.position);
            return l.color * max(dot(n, normalize(l.position)), 0.0) / SQR(d);
        }

        void main() {
            vec3 c = texture(u_albedo, fs_in.uv).rgb;
            o_color = vec4(shade(lights[0], fs_in.normal) * c * u_exposure, 1.0);
        }
        """,
        {
            ("macro", "MAX_LIGHTS"),
            ("macro", "SQR"),
            ("constant", "PI"),
            ("constant", "OFFSETS"),
            ("struct", "PointLight"),
            ("struct", "Camera"),
            ("struct", "LightBuffer"),
            ("struct", "VertexData"),
            ("variable", "u_albedo"),
            ("variable", "u_exposure"),
            ("variable", "u_gamma"),
            ("function", "distribution_ggx"),
            ("function", "shade"),
            ("function", "main"),
        },
        ["lighting.glsl"],
    ),
    (
        "hlsl",
        "Deferred.hlsl",
        """
        #include "Common.hlsli"
        #define TILE 16

        cbuffer PerFrame : register(b0)
        {
            float4x4 ViewProj;
            float Time, DeltaTime;
        };

        cbuffer PerObject
        {
            float4x4 World;
            float4 Tints[4];
        }

        struct VSInput
        {
            float3 Position : POSITION;
            float2 UV : TEXCOORD0;
        };

        struct PSInput
        {
            float4 Position : SV_POSITION;
            float2 UV : TEXCOORD0;
        };

        typedef float4 Color;

        Texture2D<float4> Albedo : register(t0);
        SamplerState LinearSampler : register(s0);
        RWStructuredBuffer<uint> Counters : register(u0);
        static const float PI = 3.14159f;
        groupshared float SharedTile[TILE * TILE];

        float3 Tonemap(float3 c)
        {
            return c / (c + 1.0);
        }

        PSInput VSMain(VSInput input)
        {
            PSInput o;
            o.Position = mul(mul(float4(input.Position, 1.0), World), ViewProj);
            o.UV = input.UV;
            return o;
        }

        float4 PSMain(PSInput input) : SV_TARGET
        {
            return float4(Tonemap(Albedo.Sample(LinearSampler, input.UV).rgb), 1.0);
        }

        [numthreads(TILE, TILE, 1)]
        void CSMain(uint3 id : SV_DispatchThreadID)
        {
            InterlockedAdd(Counters[0], 1);
        }
        """,
        {
            ("macro", "TILE"),
            ("struct", "PerFrame"),
            ("property", "PerFrame.ViewProj"),
            ("property", "PerFrame.Time"),
            ("property", "PerFrame.DeltaTime"),
            ("struct", "PerObject"),
            ("property", "PerObject.World"),
            ("property", "PerObject.Tints"),
            ("struct", "VSInput"),
            ("struct", "PSInput"),
            ("type", "Color"),
            ("variable", "Albedo"),
            ("variable", "LinearSampler"),
            ("variable", "Counters"),
            ("constant", "PI"),
            ("variable", "SharedTile"),
            ("function", "Tonemap"),
            ("function", "VSMain"),
            ("function", "PSMain"),
            ("function", "CSMain"),
        },
        ["Common.hlsli"],
    ),
    (
        "wgsl",
        "blur.wgsl",
        """
        // Separable Gaussian blur.
        enable f16;

        const TILE_SIZE: u32 = 16u;
        const UP = vec3<f32>(0.0, 1.0, 0.0);
        override workgroup_width: u32 = 64;
        let legacy_radius: i32 = 4;

        alias Color = vec4<f32>;
        type Weights = array<f32, 9>;

        struct Params {
            radius: i32,
            sigma: f32,
        }

        @group(0) @binding(0) var<uniform> params: Params;
        @group(0) @binding(1) var input_tex: texture_2d<f32>;
        @group(0) @binding(2) var<storage, read_write> output: array<f32>;
        var<workgroup> tile: array<f32, 256>;

        fn gaussian(x: f32, sigma: f32) -> f32 {
            let s2 = sigma * sigma;
            return exp(-(x * x) / (2.0 * s2));
        }

        @compute @workgroup_size(8, 8)
        fn blur_main(@builtin(global_invocation_id) id: vec3<u32>) {
            var acc = 0.0;
            for (var i = -params.radius; i <= params.radius; i++) {
                acc += gaussian(f32(i), params.sigma);
            }
            output[id.x] = acc;
        }

        @vertex
        fn vs_main(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> {
            return vec4<f32>(0.0);
        }
        """,
        {
            ("constant", "TILE_SIZE"),
            ("constant", "UP"),
            ("constant", "workgroup_width"),
            ("constant", "legacy_radius"),
            ("type", "Color"),
            ("type", "Weights"),
            ("struct", "Params"),
            ("variable", "params"),
            ("variable", "input_tex"),
            ("variable", "output"),
            ("variable", "tile"),
            ("function", "gaussian"),
            ("function", "blur_main"),
            ("function", "vs_main"),
        },
        [],
    ),
    (
        "odin",
        "tokenizer.odin",
        """
        // Package tokenizer splits source text into tokens.
        package tokenizer

        import "core:fmt"
        import utf8 "core:unicode/utf8"
        import "../common"
        foreign import libc "system:c"

        MAX_TOKENS :: 4096
        DEFAULT_NAME : string : "anon"
        DEBUG :: #config(TOKENIZER_DEBUG, false)

        Token_Kind :: enum u8 {
            Invalid,
            Ident,
            Number,
        }

        Token :: struct {
            kind: Token_Kind,
            text: string,
        }

        Value :: union #no_nil {
            int,
            f64,
        }

        Flags :: bit_field u8 {
            seen: bool | 1,
            depth: u8 | 7,
        }

        Kind_Set :: bit_set[Token_Kind]
        Handle :: distinct int
        Callback :: #type proc(t: Token)

        token_count: int
        last_error := ""

        tokenize :: proc(src: string, allocator := context.allocator) -> []Token {
            is_space :: proc(r: rune) -> bool {
                return r == ' '
            }
            local := 0
            return nil
        }

        @(private)
        is_letter :: proc "contextless" (r: rune) -> bool {
            return r >= 'a' && r <= 'z'
        }

        next :: proc{next_token, next_rune}

        when ODIN_OS == .Windows {
            PATH_SEP :: '\\\\'
        }

        foreign libc {
            puts :: proc "c" (s: cstring) -> i32 ---
        }

        main :: proc() {
            fmt.println(tokenize("x"))
        }
        """,
        {
            ("module", "Package tokenizer splits source text into tokens."),
            ("constant", "MAX_TOKENS"),
            ("constant", "DEFAULT_NAME"),
            ("constant", "DEBUG"),
            ("enum", "Token_Kind"),
            ("struct", "Token"),
            ("struct", "Value"),
            ("struct", "Flags"),
            ("type", "Kind_Set"),
            ("type", "Handle"),
            ("type", "Callback"),
            ("variable", "token_count"),
            ("variable", "last_error"),
            ("function", "tokenize"),
            ("function", "tokenize.is_space"),
            ("function", "is_letter"),
            ("function", "next"),
            ("constant", "PATH_SEP"),
            ("function", "puts"),
            ("function", "main"),
        },
        ["core:fmt", "core:unicode/utf8", "../common", "system:c"],
    ),
]


@pytest.mark.parametrize(
    ("language", "name", "source", "symbols", "imports"), SAMPLES, ids=[s[0] for s in SAMPLES]
)
def test_tree_sitter_chunks(
    language: str, name: str, source: str, symbols: set[tuple[str, str]], imports: list[str]
) -> None:
    assert symbols_and_imports(tree_sitter_chunks(name, source, language)) == (symbols, imports)


def test_line_ranges_cover_the_definitions() -> None:
    cuda = tree_sitter_chunks("reduce.cu", SAMPLES[0][2], "cuda")
    # a template kernel starts at its `template` line
    assert chunk_spans(cuda, "reduce_kernel") == [("function", 22, 28)]
    glsl = tree_sitter_chunks("pbr.frag", SAMPLES[1][2], "glsl")
    assert chunk_spans(glsl, "Camera") == [("struct", 17, 20)]
    hlsl = tree_sitter_chunks("Deferred.hlsl", SAMPLES[2][2], "hlsl")
    # with a `register`, the grammar keeps the block apart from the buffer's first line
    assert chunk_spans(hlsl, "PerFrame") == [("struct", 4, 4)]
    assert chunk_spans(hlsl, "PerFrame.Time") == [("property", 7, 7)]
    assert chunk_spans(hlsl, "PerObject") == [("struct", 10, 14)]
    wgsl = tree_sitter_chunks("blur.wgsl", SAMPLES[3][2], "wgsl")
    # the entry point's attributes are part of it
    assert chunk_spans(wgsl, "blur_main") == [("function", 27, 34)]
    odin = tree_sitter_chunks("tokenizer.odin", SAMPLES[4][2], "odin")
    assert chunk_spans(odin, "is_letter") == [("function", 49, 52)]
    assert chunk_spans(odin, "Token") == [("struct", 19, 22)]


def test_locals_are_not_symbols() -> None:
    cuda = "__global__ void k(float *p) {\n    __shared__ float tile[32];\n    int i = 0;\n}\n"
    assert symbols_and_imports(tree_sitter_chunks("k.cu", cuda, "cuda")) == (
        {("function", "k")},
        [],
    )
    odin = "package x\n\nf :: proc() {\n\tN :: 4\n\tn := N\n\tm: int\n}\n"
    assert symbols_and_imports(tree_sitter_chunks("f.odin", odin, "odin")) == (
        {("function", "f")},
        [],
    )
    wgsl = "fn f() -> f32 {\n    const k = 2.0;\n    var t = k;\n    return t;\n}\n"
    assert symbols_and_imports(tree_sitter_chunks("f.wgsl", wgsl, "wgsl")) == (
        {("function", "f")},
        [],
    )


_UNCLOSED = """
from atlas_core.chunk.treesitter import TreeSitterChunker
chunker = TreeSitterChunker()
for language in ("cuda", "glsl", "hlsl", "wgsl", "odin"):
    for junk in ("{" * 20_000, "x = " + "(" * 20_000):
        chunker.chunk("x", "void f() {}\\n" + junk + "\\n", language)
    assert language not in chunker.failures, chunker.failures
print("done")
"""


def test_unclosed_braces_do_not_wedge_the_chunker() -> None:
    """20,000 unclosed braces make one wide error node, which goes to the regex chunker;
    the timeout only catches a chunker that hangs on it."""
    done = subprocess.run(
        [sys.executable, "-c", _UNCLOSED], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "done"


# -- end to end: a task naming a symbol ranks the defining file first, above its callers -----

END_TO_END = [
    (
        "cuda",
        {
            "src/kernels/histogram.cu": (
                '#include "histogram.cuh"\n\n'
                "__global__ void histogramSharedAtomics(const int *in, int *bins, int n) {\n"
                "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
                "    if (i < n) atomicAdd(&bins[in[i]], 1);\n"
                "}\n"
            ),
            "src/host/run.cu": (
                '#include "histogram.cuh"\n\n'
                "void run(const int *in, int *bins, int n) {\n"
                "    histogramSharedAtomics<<<n / 256, 256>>>(in, bins, n);\n"
                "    // histogramSharedAtomics again for the second half\n"
                "    histogramSharedAtomics<<<n / 256, 256>>>(in + n, bins, n);\n"
                "    histogramSharedAtomics<<<1, 1>>>(in, bins, 0);\n"
                "}\n"
            ),
            "src/main.cpp": "int main() { return 0; }\n",
        },
        "histogramSharedAtomics counts twice",
        "src/kernels/histogram.cu",
    ),
    (
        "glsl",
        {
            "shaders/lib/tonemap.glsl": (
                "vec3 acesFilmicTonemap(vec3 x) {\n"
                "    vec3 num = x * (2.51 * x + 0.03);\n"
                "    return clamp(num / (x * (2.43 * x + 0.59) + 0.14), 0.0, 1.0);\n"
                "}\n"
            ),
            "shaders/post.frag": (
                "#version 450\n"
                '#include "lib/tonemap.glsl"\n'
                "in vec3 color;\n"
                "out vec4 o;\n"
                "void main() {\n"
                "    vec3 a = acesFilmicTonemap(color);\n"
                "    vec3 b = acesFilmicTonemap(color * 2.0);\n"
                "    o = vec4(acesFilmicTonemap(a + b), 1.0);\n"
                "}\n"
            ),
            "src/main.cpp": "int main() { return 0; }\n",
        },
        "acesFilmicTonemap washes out highlights",
        "shaders/lib/tonemap.glsl",
    ),
    (
        "hlsl",
        {
            "Shaders/Shadows.hlsl": (
                "Texture2D ShadowMap : register(t1);\n"
                "SamplerComparisonState ShadowSampler : register(s1);\n\n"
                "float SampleShadowPCF(float3 pos)\n"
                "{\n"
                "    return ShadowMap.SampleCmpLevelZero(ShadowSampler, pos.xy, pos.z);\n"
                "}\n"
            ),
            "Shaders/Lit.hlsl": (
                '#include "Shadows.hlsl"\n\n'
                "float4 PSMain(float4 p : SV_POSITION) : SV_TARGET\n"
                "{\n"
                "    float a = SampleShadowPCF(p.xyz);\n"
                "    float b = SampleShadowPCF(p.xyz * 0.5);\n"
                "    return SampleShadowPCF(p.zyx) * a * b;\n"
                "}\n"
            ),
            "src/main.cpp": "int main() { return 0; }\n",
        },
        "SampleShadowPCF has acne",
        "Shaders/Shadows.hlsl",
    ),
    (
        "wgsl",
        {
            "shaders/lib/procedural.wgsl": (
                "fn hash3(p: vec3<f32>) -> f32 {\n"
                "    return fract(sin(dot(p, vec3<f32>(12.9898, 78.233, 37.719))) * 43758.5453);\n"
                "}\n\n"
                "fn valueNoise3(p: vec3<f32>) -> f32 {\n"
                "    let i = floor(p);\n"
                "    let f = fract(p);\n"
                "    return mix(hash3(i), hash3(i + vec3<f32>(1.0)), f.x);\n"
                "}\n\n"
                "fn simplexNoise3(p: vec3<f32>) -> f32 {\n"
                "    let s = floor(p + dot(p, vec3<f32>(1.0 / 3.0)));\n"
                "    return hash3(s) * 2.0 - 1.0;\n"
                "}\n"
            ),
            "shaders/terrain.wgsl": (
                "@fragment\n"
                "fn fs_main(@location(0) p: vec3<f32>) -> @location(0) vec4<f32> {\n"
                "    let a = simplexNoise3(p);\n"
                "    let b = simplexNoise3(p * 2.0);\n"
                "    let c = simplexNoise3(p * 8.0);\n"
                "    return vec4<f32>(simplexNoise3(p * 4.0) + a + b + c);\n"
                "}\n"
            ),
            "src/main.rs": "fn main() {}\n",
        },
        "simplexNoise3 has seams",
        "shaders/lib/procedural.wgsl",
    ),
    (
        "odin",
        {
            "src/mem/bump.odin": (
                "package mem\n\n"
                "Arena :: struct {\n"
                "\tdata: []byte,\n"
                "\toffset: int,\n"
                "}\n\n"
                "arena_init :: proc(a: ^Arena, data: []byte) {\n"
                "\ta.data = data\n"
                "\ta.offset = 0\n"
                "}\n\n"
                "arena_alloc_aligned :: proc(a: ^Arena, size, align: int) -> rawptr {\n"
                "\tstart := (a.offset + align - 1) & ~(align - 1)\n"
                "\ta.offset = start + size\n"
                "\treturn &a.data[start]\n"
                "}\n"
            ),
            "src/game/world.odin": (
                "package game\n\n"
                'import "../mem"\n\n'
                "spawn :: proc(a: ^mem.Arena) {\n"
                "\tp := mem.arena_alloc_aligned(a, 64, 16)\n"
                "\tq := mem.arena_alloc_aligned(a, 32, 8)\n"
                "\tr := mem.arena_alloc_aligned(a, 16, 8)\n"
                "\ts := mem.arena_alloc_aligned(a, 8, 8)\n"
                "}\n"
            ),
            "src/main.odin": "package main\n\nmain :: proc() {}\n",
        },
        "arena_alloc_aligned returns misaligned memory",
        "src/mem/bump.odin",
    ),
]


@pytest.mark.parametrize(
    ("language", "files", "task", "expected"), END_TO_END, ids=[e[0] for e in END_TO_END]
)
def test_a_task_naming_a_symbol_ranks_its_file_first(
    tmp_path: Path,
    make_atlas: Callable[[Path], Atlas],
    language: str,
    files: dict[str, str],
    task: str,
    expected: str,
) -> None:
    root = write_repo(tmp_path / "r", dict(files))
    reader, first = first_ranked(make_atlas(root), task)
    i = reader.ids[expected]
    assert reader.languages[i] == language
    assert task.split()[0] in [c.name for c in reader.chunks(i) if c.kind == "function"]
    assert first == expected
