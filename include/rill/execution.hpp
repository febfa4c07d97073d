// rill/execution.hpp - the executor property model, as asio/execution.hpp.
#pragma once

#include <rill/execution/allocator.hpp>
#include <rill/execution/any_executor.hpp>
#include <rill/execution/bad_executor.hpp>
#include <rill/execution/blocking.hpp>
#include <rill/execution/context.hpp>
#include <rill/execution/context_as.hpp>
#include <rill/execution/execute.hpp>
#include <rill/execution/executor.hpp>
#include <rill/execution/invocable_archetype.hpp>
#include <rill/execution/mapping.hpp>
#include <rill/execution/occupancy.hpp>
#include <rill/execution/outstanding_work.hpp>
#include <rill/execution/prefer_only.hpp>
#include <rill/execution/relationship.hpp>
#include <rill/prefer.hpp>
#include <rill/query.hpp>
#include <rill/require.hpp>
