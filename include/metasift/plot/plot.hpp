#pragma once
// The plot module: scenes, their SVG / PDF / PNG backends, and the builders. See docs/plots.md.
#include "metasift/plot/axis.hpp"
#include "metasift/plot/forest.hpp"
#include "metasift/plot/funnel.hpp"
#include "metasift/plot/render.hpp"
#include "metasift/plot/scene.hpp"
#include "metasift/plot/text.hpp"
