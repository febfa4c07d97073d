// rill.hpp - everything rill offers, as asio.hpp is for Asio.
#pragma once

#include <rill/associated_allocator.hpp>
#include <rill/associated_executor.hpp>
#include <rill/async_result.hpp>
#include <rill/bind_allocator.hpp>
#include <rill/bind_executor.hpp>
#include <rill/defer.hpp>
#include <rill/dispatch.hpp>
#include <rill/execution_context.hpp>
#include <rill/executor_work_guard.hpp>
#include <rill/io_context.hpp>
#include <rill/is_executor.hpp>
#include <rill/post.hpp>
#include <rill/recycling_allocator.hpp>
#include <rill/system_context.hpp>
#include <rill/system_executor.hpp>
#include <rill/uses_executor.hpp>
#include <rill/version.hpp>
