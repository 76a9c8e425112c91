// Argument conversion shared by the ncps bindings: weights as mappings from ncps's state-dict names to Tensors,
// and the CfC and LTC configurations.
#pragma once
#include <optional>
#include <string>

#include "bind.h"
#include "fl/ncps/cfc.h"
#include "fl/ncps/ltc.h"

namespace flpy {

/// A CfC's weights from a mapping of ncps.torch CfC state_dict names (CfCWeights::from_state_dict).
fl::ncps::CfCWeights cfc_weights_arg(nb::handle mapping);
fl::ncps::CfCConfig cfc_config_arg(const std::string& mode, const std::string& activation, double dropout,
                                   bool training);
/// LTCCell / LSTM weights from a dict of ncps's names without the module prefix ("gleak", "input_map.weight").
fl::ncps::LTCWeights ltc_weights_arg(const nb::dict& d);
fl::ncps::LSTMMemoryWeights lstm_weights_arg(const nb::dict& d);
fl::ncps::LTCConfig ltc_config_arg(const std::optional<std::string>& input_mapping,
                                   const std::optional<std::string>& output_mapping, int64_t ode_unfolds,
                                   double epsilon, bool implicit, std::optional<int64_t> motor_size, bool fused);

}  // namespace flpy

// The config keywords every LTC function takes (keyword-only), in ltc_config_arg's order.
#define FL_LTC_CONFIG_ARGS                                                                                       \
  nb::kw_only(), "input_mapping"_a.none() = "affine", "output_mapping"_a.none() = "affine", "ode_unfolds"_a = 6, \
                 "epsilon"_a = 1e-8, "implicit_param_constraints"_a = true, "motor_size"_a.none() = nb::none(),  \
                 "fused"_a = true
