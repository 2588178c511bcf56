#pragma once
// Everything for plots: the scene and its SVG / PDF / PNG backends (module plot_scene) and the
// chart builders (module plot). See docs/plots.md.
#include "metasift/plot/axis.hpp"
#include "metasift/plot/forest.hpp"
#include "metasift/plot/funnel.hpp"
#include "metasift/plot/render.hpp"
#include "metasift/plot/scene.hpp"
#include "metasift/plot/text.hpp"
